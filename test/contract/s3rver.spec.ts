import { createS3Client } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { startTestS3rver } from '../servers/s3rver';
import { objectStoreContract } from './object-store.contract';

objectStoreContract('s3rver (in-process, HTTP on 127.0.0.1)', async () => {
  const server = await startTestS3rver();
  const client = createS3Client(server.store, { maxAttempts: 2 });
  return {
    store: new S3Store(client, server.store),
    multipart: (multipartThreshold, partSize) => new S3Store(client, server.store, { multipartThreshold, partSize }),
    close: async () => { client.destroy(); await server.close(); },
  };
});
