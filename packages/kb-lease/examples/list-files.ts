// Lists the documents of a category, page after page (NextToken).
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
let count = 0;
for await (const file of client.listFiles({ categoryId: 'default', maxResults: 50 })) {
  count += 1;
  if (count <= 3) console.log(file.FileId, file.FileName, file.Status);
}
console.log(`${count} documents`);
await client.close();
