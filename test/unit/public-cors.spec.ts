import { expect } from 'chai';
import { SEED_CORS } from '../../lib/config/edge-policy';
import { allowOriginProblem, ANY_ORIGIN_PROBE, originsToSend, preflightProblem } from '../../lib/verify/public-cors';

const APP = 'https://russ.fm';
const headers = (h: Record<string, string>) => new Headers(h);

describe('verify --public CORS judgement', () => {
  it('sends each origin the rule names, and an unnamed one when it allows any', async () => {
    expect(originsToSend(SEED_CORS)).to.deep.equal(['https://russ.fm', 'http://localhost:5173']);
    expect(originsToSend({ ...SEED_CORS, origins: ['*'] })).to.deep.equal([ANY_ORIGIN_PROBE]);
    expect(originsToSend({ ...SEED_CORS, origins: [APP, '*'] })).to.deep.equal([APP, ANY_ORIGIN_PROBE]);
  });

  it('accepts the request\'s own origin or *, and names what came back otherwise', async () => {
    expect(allowOriginProblem(headers({ 'access-control-allow-origin': APP }), APP)).to.equal(undefined);
    expect(allowOriginProblem(headers({ 'access-control-allow-origin': '*' }), APP)).to.equal(undefined);
    expect(allowOriginProblem(headers({}), APP)).to.equal('no Access-Control-Allow-Origin for origin https://russ.fm (expected "https://russ.fm" or "*")');
    expect(allowOriginProblem(headers({ 'access-control-allow-origin': 'http://localhost:5173' }), APP))
      .to.match(/^Access-Control-Allow-Origin "http:\/\/localhost:5173" for origin https:\/\/russ\.fm/);
  });

  it('wants a preflight answered 2xx, for the origin, with GET among the methods', async () => {
    const ok = { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'HEAD, get' };
    expect(preflightProblem(204, headers(ok), APP)).to.equal(undefined);
    expect(preflightProblem(403, headers(ok), APP)).to.equal('HTTP 403: the preflight was refused');
    expect(preflightProblem(200, headers({ ...ok, 'access-control-allow-methods': 'HEAD, PUT' }), APP)).to.equal('Access-Control-Allow-Methods "HEAD, PUT" without GET');
    // A browser allows any method on `*` for a request without credentials (the app's image reads are such requests).
    expect(preflightProblem(200, headers({ ...ok, 'access-control-allow-methods': '*' }), APP)).to.equal(undefined);
    // Header values from outside are shown with control characters as `?`, never raw.
    expect(preflightProblem(200, headers({ ...ok, 'access-control-allow-methods': 'PUT\u009b2K' }), APP)).to.equal('Access-Control-Allow-Methods "PUT?2K" without GET');
    expect(preflightProblem(200, headers({}), APP)).to.match(/^no Access-Control-Allow-Origin .*; no Access-Control-Allow-Methods$/);
  });
});
