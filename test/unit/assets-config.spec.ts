import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAssetsConfig } from '../../lib/config/assets-config';
import { loadAssetsConfig } from '../../lib/config/load-assets-config';
import { ConfigError } from '../../lib/errors';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/history/types';
import { PRESETS, recipeOf } from '../../lib/images/config';

function refusal(raw: unknown): ConfigError {
  try {
    resolveAssetsConfig(raw, 'assets.config.ts');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('assets.config.ts: the recipe as configuration', () => {
  it('is the russ-fm preset when there is no file: hi-res as the source, medium inside 800, avatar for artists only', async () => {
    const { image, publish, ignore } = resolveAssetsConfig(undefined);
    expect(image).to.deep.equal(PRESETS['russ-fm']);
    expect(recipeOf(image, 'album').sizes.map((s) => s.name)).to.deep.equal(['hi-res', 'medium']);
    expect(recipeOf(image, 'artist').sizes.map((s) => s.name)).to.deep.equal(['hi-res', 'medium', 'avatar']);
    expect([publish, ignore]).to.deep.equal([[], []]);
  });

  it('takes a preset and changes only what it names', async () => {
    const { image } = resolveAssetsConfig({
      preset: 'four-size',
      sizes: { thumb: { width: 300, height: 300, fit: 'cover', jpeg: { quality: 80 } } },
      collections: { artist: { sizes: ['hi-res', 'thumb'], formats: ['jpeg', 'webp'] } },
      jpeg: { quality: 90 },
    });
    expect(image.pipeline).to.equal('decode-once');
    expect(image.jpeg).to.deep.equal({ ...PRESETS['four-size'].jpeg, quality: 90 });
    expect(recipeOf(image, 'album').sizes.map((s) => s.name)).to.deep.equal(['hi-res', 'medium', 'small', 'avatar']);
    expect(recipeOf(image, 'artist')).to.deep.include({ formats: ['jpeg', 'webp'] });
    expect(recipeOf(image, 'artist').sizes.map((s) => s.name)).to.deep.equal(['hi-res', 'thumb']);
  });

  it('names the field and the problem when a value is wrong', async () => {
    expect(refusal({ preset: 'tiny' }).message).to.match(/^assets\.config\.ts: preset is not one of russ-fm, four-size/);
    expect(refusal({ sizes: { medium: { width: 0, height: 800, fit: 'inside' } } }).message).to.match(/sizes\.medium\.width is less than 1/);
    expect(refusal({ sizes: { medium: { width: 800, height: 800, fit: 'fill' } } }).message).to.match(/sizes\.medium/);
    expect(refusal({ jpeg: { quality: 101 } }).message).to.match(/jpeg\.quality is over 100/);
    expect(refusal({ collections: { album: { sizes: ['hi-res', 'small'] } } }).message).to.match(/collection "album" names size "small"/);
    expect(refusal({ formats: ['gif'] }).message).to.match(/formats\.0 is not one of jpeg, webp, avif/);
    expect(refusal({ publish: ["../outside/*.png"] }).message).to.match(/publish\.0 "\.\.\/outside\/\*\.png" has a \.\. segment/);
    expect(refusal({ sizez: {} }).message).to.match(/sizez is not a field this config has \(a typo\?\)/);
    expect(refusal({ sizes: { thumb: { widht: 300, height: 300, fit: 'cover' } } }).message)
      .to.match(/sizes\.thumb\.width is missing; sizes\.thumb\.widht is not a field this config has/);
    expect(refusal({ sizes: { thumb: { width: 300, height: 300, fit: 'crop' } } }).message).to.match(/sizes\.thumb\.fit is not cover, inside or source/);
    expect(refusal([]).message).to.match(/^assets\.config\.ts:/);
  });

  it('loads a .json named by ASSETS_CONFIG, and a TypeScript file from the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assets-config-'));
    try {
      writeFileSync(join(dir, 'recipe.json'), JSON.stringify({ preset: 'four-size', ignore: ['robots.txt'] }));
      const fromJson = loadAssetsConfig(dir, { ASSETS_CONFIG: 'recipe.json' });
      expect(fromJson).to.include({ file: join(dir, 'recipe.json') });
      expect(fromJson.ignore).to.deep.equal(['robots.txt']);
      expect(fromJson.image.pipeline).to.equal('decode-once');
      writeFileSync(join(dir, 'assets.config.ts'), "const config: { publish: string[] } = { publish: ['og-image.png'] };\nexport default config;\n");
      expect(loadAssetsConfig(dir, {}).publish).to.deep.equal(['og-image.png']);
      expect(() => loadAssetsConfig(dir, { ASSETS_CONFIG: 'missing.json' })).to.throw(ConfigError, /missing\.json, which does not exist/);
      const broken = mkdtempSync(join(tmpdir(), 'assets-config-'));
      writeFileSync(join(broken, 'assets.config.ts'), 'export default { preset: "russ-fm",\n');
      // The loader's own words with the line and column, not just "Transform failed".
      expect(() => loadAssetsConfig(broken, {})).to.throw(ConfigError, /cannot load .*assets\.config\.ts: .*assets\.config\.ts:\d+:\d+/);
      rmSync(broken, { recursive: true, force: true });
      writeFileSync(join(dir, 'bad.json'), '{ "preset": ');
      expect(() => loadAssetsConfig(dir, { ASSETS_CONFIG: 'bad.json' })).to.throw(ConfigError, /cannot load .*bad\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the repository\'s own assets.config.ts: the site\'s OG cards are published', async () => {
    const config = loadAssetsConfig(join(__dirname, '..', '..'), {});
    expect(config.publish).to.deep.equal(['{album,artist}/*/og-image.png', 'og-image.png']);
    expect(config.image).to.deep.equal(PRESETS['russ-fm']);
  });

  it('alerts: the seed\'s thresholds by default, slowP95Ms following cdn.slowP95Ms, each one changeable and checked by name', async () => {
    expect(resolveAssetsConfig(undefined).alerts).to.deep.equal(DEFAULT_ALERT_THRESHOLDS);
    expect(resolveAssetsConfig({ cdn: { slowP95Ms: 1500 } }).alerts.slowP95Ms).to.equal(1500);
    expect(resolveAssetsConfig({ cdn: { slowP95Ms: 1500 }, alerts: { slowP95Ms: 900, archiveGrowthRatio: 0.5 } }).alerts)
      .to.deep.equal({ ...DEFAULT_ALERT_THRESHOLDS, slowP95Ms: 900, archiveGrowthRatio: 0.5 });
    expect(refusal({ alerts: { failedWritesPercent: 0 } }).message).to.match(/alerts\.failedWritesPercent is not a positive number/);
    expect(refusal({ alerts: { archiveWindowDays: -3 } }).message).to.match(/alerts\.archiveWindowDays is not a positive number/);
    expect(refusal({ alerts: { costSpikePercent: '150' } }).message).to.match(/alerts\.costSpikePercent/);
    expect(refusal({ alerts: { slowP95ms: 100 } }).message).to.match(/alerts\.slowP95ms is not a field this config has/);
  });
});
