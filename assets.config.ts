/**
 * The recipe russ.fm publishes, and what else its bucket holds. Every field is optional: the preset
 * (`russ-fm`, the site's contract) fills in the rest. See "The recipe" in README.md.
 */
import { defineConfig } from './lib/config/assets-config';

export default defineConfig({
  preset: 'russ-fm',
  // The site's OG cards, written into dist/ by its generate-og-images step: published beside the covers.
  publish: ['{album,artist}/*/og-image.png', 'og-image.png'],
  // Bucket keys to leave alone (never deleted, counted or checked), besides --exclude.
  ignore: [],
});
