/** s3rver in a process of its own (forked by s3rver-process.ts): on a 2-core machine the server gets a core. */
import { startLocalBucket } from '../../lib/storage/local-bucket';

const directory = process.argv[2] as string;
startLocalBucket({ directory, bucket: 'seed', port: 0, ephemeral: true }).then((local) => {
  process.send?.({ endpoint: local.store.endpoint });
  process.on('disconnect', () => { void local.close().finally(() => process.exit(0)); });
}, (error: unknown) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
