// Signs with credentials as production gets them, through the official @alicloud/credentials: ECS RAM roles, OIDC
// (RRSA), ram_role_arn, the CLI profile, credentials URIs, or the environment, refreshed before they expire.
import { createKnowledgeBaseClient } from '@x/kb-lease';
import { alibabaCloudCredentials } from '@x/transport';

const client = createKnowledgeBaseClient({
  endpoint: process.env.MSTUDIO_ENDPOINT,
  credentials: alibabaCloudCredentials(), // the official default chain; here it finds ALIBABA_CLOUD_ACCESS_KEY_*
});
let count = 0;
for await (const file of client.listFiles()) if (file.FileId) count += 1;
console.log(`signed through @alicloud/credentials: ${count} documents in the default category`);
await client.close();
