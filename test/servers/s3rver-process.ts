/**
 * One s3rver in a child process for a whole suite, a fresh bucket per test: the generated histories run
 * hundreds of short sequences, and a server sharing the client's process and core halves their speed.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_ACCESS_KEY } from '../../lib/storage/local-bucket';
import { createS3Client, ensureBucket, type StoreConfig } from '../../lib/storage/s3-client';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

export interface S3rverProcess {
  readonly endpoint: string;
  /** A new, empty bucket on the server. */
  freshBucket(): Promise<StoreConfig>;
  close(): Promise<void>;
}

export async function startS3rverProcess(): Promise<S3rverProcess> {
  const directory = await makeTmpDir('s3rver-process');
  const child = fork(join(__dirname, 's3rver-child.ts'), [directory], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const answer = await new Promise<{ endpoint?: string; error?: string }>((resolve) => {
    child.once('message', (m) => resolve(m as { endpoint?: string; error?: string }));
    child.once('exit', (code) => resolve({ error: `s3rver exited with ${code}` }));
  });
  if (!answer.endpoint) throw new Error(`s3rver did not start: ${answer.error}`);
  const endpoint = answer.endpoint;
  let made = 0;
  return {
    endpoint,
    freshBucket: async () => {
      made += 1;
      const config: StoreConfig = {
        provider: 'local', endpoint, bucket: `h${made}-${process.pid}`, region: 'us-east-1', accessKeyId: LOCAL_ACCESS_KEY, secretAccessKey: LOCAL_ACCESS_KEY,
      };
      const client = createS3Client(config, { maxAttempts: 3 });
      try { await ensureBucket(client, config.bucket); } finally { client.destroy(); }
      return config;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
      await removeTmp(directory);
    },
  };
}
