// Adds a category, lists categories, uploads into the new one, and deletes it again.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKnowledgeBaseClient } from '@x/kb-lease';

const client = createKnowledgeBaseClient({ endpoint: process.env.MSTUDIO_ENDPOINT });
const { categoryId } = await client.addCategory({ categoryName: `manuals-${Date.now()}` });

for await (const category of client.listCategories()) {
  console.log(category.CategoryId, category.CategoryName, category.IsDefault ? '(default)' : '');
}

const folder = await mkdtemp(join(tmpdir(), 'kb-example-'));
try {
  const path = join(folder, 'printer-manual.md');
  await writeFile(path, '# Printer\n\nPress the green button.\n');
  const document = await client.uploadDocument(path, { categoryId });
  console.log(document.categoryId === categoryId); // true

  await client.deleteFile(document.fileId);
  await client.deleteCategory(categoryId);
} finally {
  await client.close();
  await rm(folder, { recursive: true, force: true });
}
