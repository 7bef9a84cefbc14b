// Adds a category, lists categories, uploads into the new one, and deletes it again.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const { categoryId } = await client.addCategory({ categoryName: `manuals-${Date.now()}` });

for await (const category of client.listCategories()) {
  console.log(category.CategoryId, category.CategoryName, category.IsDefault ? '(default)' : '');
}

const path = join(tmpdir(), 'printer-manual.md');
await writeFile(path, '# Printer\n\nPress the green button.\n');
const document = await client.uploadDocument(path, { categoryId });
console.log(document.categoryId === categoryId); // true

await client.deleteFile(document.fileId);
await client.deleteCategory(categoryId);
await client.close();
