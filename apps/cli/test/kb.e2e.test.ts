import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdminClient } from '@x/emulator/vitest';
import { createKnowledgeBaseClient } from '@x/kb-lease';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { emulatorEnv, interruptWhenStalled, jsonLines, runCli, scratchDir } from './run-cli.js';

const directory = await scratchDir();
const admin = createAdminClient(inject('emulator').url);
afterEach(() => admin.clearFaults());

/** A name no other test uses: ListFile is shared by the whole emulator. */
const unique = (name: string) => name.replace(/(\.\w+)$/, `-${randomBytes(4).toString('hex')}$1`);
const fileIdPattern = /^file_\S+$/;

/** The documents of the default category, by name, as `kb list --json` shows them. */
async function documentsNamed(names: readonly string[]): Promise<Record<string, unknown>[]> {
  const run = await runCli(['--json', 'kb', 'list']);
  expect(run.exitCode, run.stderr).toBe(0);
  return jsonLines(run.stdout).filter((file) => names.includes(file.FileName as string));
}

/**
 * Syncs a new folder `folderName` (under the scratch folder) holding one document, then writes a longer second version
 * of it; returns the document's name, the file id of version 1 and the text of version 2.
 */
async function syncedThenChanged(
  folderName: string,
): Promise<{ name: string; oldId: string; version2: string }> {
  const folder = join(directory, folderName);
  await mkdir(folder);
  const name = unique('guide.md');
  await writeFile(join(folder, name), '# Guide\n\nversion 1\n');
  const first = await runCli(['--json', 'kb', 'sync', folderName], { cwd: directory });
  expect(first.exitCode, first.stderr).toBe(0);
  const oldId = jsonLines(first.stdout)[0]!.fileId as string;
  const version2 = '# Guide\n\nversion 2, which is longer\n';
  await writeFile(join(folder, name), version2);
  return { name, oldId, version2 };
}

describe('mstudio kb --help', () => {
  it.each(['upload', 'status', 'list', 'delete', 'sync'])('kb %s shows usage with examples', async (name) => {
    const run = await runCli(['kb', name, '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: mstudio kb ${name}`));
    expect(run.stdout).toMatch(/\nExamples:\n {2}\$ mstudio /);
  });
});

describe('mstudio kb upload', () => {
  it('expands folders and globs, uploads each document once, waits for PARSE_SUCCESS with --wait', async () => {
    const folder = join(directory, 'upload');
    await mkdir(join(folder, 'guides'), { recursive: true });
    const names = [unique('handbook.md'), unique('setup.txt'), unique('faq.md')];
    await writeFile(join(folder, names[0]!), '# Handbook\n\nHolidays are booked in the portal.\n');
    await writeFile(join(folder, 'guides', names[1]!), 'Plug it in, then press start.\n');
    await writeFile(join(folder, 'guides', names[2]!), '# FAQ\n\nYes.\n');
    await writeFile(join(folder, '.draft.md'), 'not for the knowledge base\n');

    // The folder and a glob name the same files twice: each is uploaded once. Dot-files are left out.
    const run = await runCli(['kb', 'upload', 'upload', 'upload/**/*.md', '--wait', '--tags', 'docs,2025'], {
      cwd: directory,
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split('  ')[2])).toEqual([
      `upload/guides/${names[2]}`,
      `upload/guides/${names[1]}`,
      `upload/${names[0]}`,
    ]);
    for (const line of lines) expect(line).toMatch(/^file_\S+ {2}PARSE_SUCCESS {2}/);

    const fileId = lines[2]!.split('  ')[0]!;
    const status = await runCli(['--json', 'kb', 'status', fileId]);
    expect(status.exitCode).toBe(0);
    expect(jsonLines(status.stdout)).toEqual([
      expect.objectContaining({
        FileId: fileId,
        FileName: names[0],
        Status: 'PARSE_SUCCESS',
        Tags: ['docs', '2025'],
      }),
    ]);
    const text = await runCli(['kb', 'status', fileId]);
    expect(text.stdout).toBe(`${fileId}  PARSE_SUCCESS  47 bytes  ${names[0]}\n`);
    expect(await documentsNamed(names)).toHaveLength(3);
  });

  it('prints one JSON object per document, and a rerun with --manifest skips what was added', async () => {
    const name = unique('notes.md');
    await writeFile(join(directory, name), '# Notes\n');
    const manifest = join(directory, 'upload.jsonl');
    const first = await runCli(['--json', 'kb', 'upload', name, '--manifest', manifest], { cwd: directory });
    expect(first.exitCode, first.stderr).toBe(0);
    const [document] = jsonLines(first.stdout);
    expect(document).toMatchObject({
      source: name,
      fileName: name,
      md5: '2eda88c1773ff53e8169b1f56f066d5e',
      sizeBytes: 8,
      categoryId: 'default',
      skipped: false,
    });
    expect(document!.fileId).toMatch(fileIdPattern);

    const again = await runCli(['kb', 'upload', name, '--manifest', manifest], { cwd: directory });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(`${document!.fileId}  ADDED  ${name}  (already added, skipped)\n`);
    expect(await documentsNamed([name])).toHaveLength(1);
  });

  it('names each failed source (missing, no match, wrong type, over the limit), uploads the rest, exit 1', async () => {
    const name = unique('ok.txt');
    await writeFile(join(directory, name), 'fine\n');
    await writeFile(join(directory, 'slides.key'), 'keynote');
    // 20 MiB + 1 byte, sparse: over the 20 MB of an image.
    const handle = await open(join(directory, 'photo.png'), 'w');
    await handle.truncate(20 * 1024 * 1024 + 1);
    await handle.close();

    const run = await runCli(
      ['kb', 'upload', 'missing.md', 'nothing/*.pdf', name, 'slides.key', 'photo.png'],
      {
        cwd: directory,
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^file_\\S+ {2}\\w+ {2}${name}\\n$`));
    const errors = run.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^mstudio: nothing\/\*\.pdf: FILE_NOT_FOUND: no files match/);
    expect(errors[1]).toMatch(/^mstudio: missing\.md: FILE_NOT_FOUND: /);
    expect(errors[2]).toMatch(/^mstudio: slides\.key: UNSUPPORTED_FILE_TYPE: /);
    expect(errors[3]).toMatch(/^mstudio: photo\.png: FILE_TOO_LARGE: .*20,971,521 bytes/);

    const json = await runCli(['--json', 'kb', 'upload', 'missing.md'], { cwd: directory });
    expect(json.exitCode).toBe(1);
    expect(jsonLines(json.stdout)).toEqual([
      {
        source: 'missing.md',
        ok: false,
        error: expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
      },
    ]);
  });

  it('says in one line that the AccessKey was refused, with the service code and request id, never the secret', async () => {
    const name = unique('secret.txt');
    await writeFile(join(directory, name), 'x\n');
    const secret = 'wrong-secret-0123456789abcdef';
    const run = await runCli(['kb', 'upload', name], {
      cwd: directory,
      env: { ...emulatorEnv(), ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^mstudio: ${name}: HTTP_STATUS: .*4\\d\\d.*requestId=\\S+`));
    expect(run.stderr).not.toContain(secret);
  });

  it('stops before any work without a workspace, saying how to give one', async () => {
    const { BAILIAN_WORKSPACE_ID: _workspace, ...env } = emulatorEnv();
    const run = await runCli(['kb', 'list'], { env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      'mstudio: WORKSPACE_ID_MISSING: no workspace: pass --workspace llm-… or set BAILIAN_WORKSPACE_ID\n',
    );
    const flag = await runCli(['kb', 'list', '--workspace', emulatorEnv().BAILIAN_WORKSPACE_ID!], { env });
    expect(flag.exitCode, flag.stderr).toBe(0);
  });
});

describe('mstudio kb delete', () => {
  it('deletes documents, names an unknown one with the service code, exit 1', async () => {
    const name = unique('old.txt');
    await writeFile(join(directory, name), 'The canteen closes early.\n');
    const upload = await runCli(['--json', 'kb', 'upload', name, '--wait'], { cwd: directory });
    const { fileId } = jsonLines(upload.stdout)[0]!;
    const run = await runCli(['kb', 'delete', fileId as string, 'file_nope']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(`deleted ${fileId}\n`);
    expect(run.stderr).toMatch(/^mstudio: file_nope: HTTP_STATUS: .*40\d.*requestId=\S+/);
    const gone = await runCli(['--json', 'kb', 'status', fileId as string]);
    expect(gone.exitCode).toBe(1);
    expect(jsonLines(gone.stdout)).toEqual([expect.objectContaining({ fileId, ok: false })]);
  });
});

describe('mstudio kb sync', () => {
  it('uploads a folder, then has nothing to do, then updates, uploads and (with --delete) deletes', async () => {
    const folder = join(directory, 'sync');
    await mkdir(join(folder, 'sub'), { recursive: true });
    const [a, b, c, d] = [unique('a.md'), unique('b.txt'), unique('c.md'), unique('d.md')];
    await writeFile(join(folder, a!), '# A\n\nversion 1\n');
    await writeFile(join(folder, 'sub', b!), 'B text\n');
    await writeFile(join(folder, c!), '# C\n');
    await writeFile(join(folder, 'image.tiff'), 'not a document type');

    const plan = await runCli(['kb', 'sync', 'sync', '--dry-run'], { cwd: directory });
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toBe(
      `upload  ${a}\nupload  ${c}\nupload  sub/${b}\nplan: 3 to upload, 0 to update, 0 to delete, 0 unchanged (dry run: nothing changed)\n`,
    );
    expect(plan.stderr).toBe('skip    image.tiff  (not a knowledge-base document type)\n');
    expect(await documentsNamed([a!, b!, c!])).toEqual([]);

    const first = await runCli(['kb', 'sync', 'sync'], { cwd: directory });
    expect(first.exitCode, first.stderr).toBe(0);
    const uploaded = first.stdout.trimEnd().split('\n');
    expect(uploaded.slice(0, 3).map((line) => line.split(/ +/).slice(0, 2))).toEqual([
      ['uploaded', a],
      ['uploaded', c],
      ['uploaded', `sub/${b}`],
    ]);
    expect(uploaded[3]).toBe('3 uploaded, 0 updated, 0 deleted, 0 unchanged');
    const idOf = (lines: string[], name: string) =>
      lines
        .find((line) => line.includes(` ${name} `))!
        .split(/ +/)
        .at(-1)!;
    const aId = idOf(uploaded, a!);
    const bId = idOf(uploaded, `sub/${b}`);
    expect(await documentsNamed([a!, b!, c!])).toHaveLength(3);

    const second = await runCli(['kb', 'sync', 'sync'], { cwd: directory });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe('nothing to do: 3 unchanged\n');
    const secondJson = await runCli(['--json', 'kb', 'sync', 'sync'], { cwd: directory });
    expect(jsonLines(secondJson.stdout)).toEqual([
      { summary: { uploaded: 0, updated: 0, deleted: 0, unchanged: 3, skipped: 1, kept: 0, failed: 0 } },
    ]);

    // Edit one, add one, remove one; touching a file without changing it is no change.
    await writeFile(join(folder, a!), '# A\n\nversion 2\n');
    await writeFile(join(folder, d!), '# D\n');
    await writeFile(join(folder, c!), '# C\n');
    await rm(join(folder, 'sub', b!));

    const dryRun = await runCli(['--json', 'kb', 'sync', 'sync', '--delete', '--dry-run'], {
      cwd: directory,
    });
    expect(dryRun.exitCode).toBe(0);
    expect(jsonLines(dryRun.stdout)).toEqual([
      { action: 'update', path: a, fileId: aId, dryRun: true },
      { action: 'upload', path: d, dryRun: true },
      { action: 'delete', path: `sub/${b}`, fileId: bId, dryRun: true },
      {
        summary: { upload: 1, update: 1, delete: 1, unchanged: 1, skipped: 1, kept: 0, failed: 0 },
        dryRun: true,
      },
    ]);

    // Without --delete, the document of the removed file is kept, and said so.
    const third = await runCli(['kb', 'sync', 'sync'], { cwd: directory });
    expect(third.exitCode, third.stderr).toBe(0);
    const changed = third.stdout.trimEnd().split('\n');
    expect(changed[0]).toMatch(new RegExp(`^uploaded ${d} {2}file_\\S+$`));
    expect(changed[1]).toMatch(new RegExp(`^updated {2}${a} {2}${aId} -> file_\\S+$`));
    expect(changed[2]).toBe('1 uploaded, 1 updated, 0 deleted, 1 unchanged');
    expect(third.stderr).toContain('1 document whose file left the folder kept (--delete removes them)');
    const newAId = changed[1]!.split(' -> ')[1]!;
    expect(await documentsNamed([a!])).toEqual([expect.objectContaining({ FileId: newAId })]);
    expect((await runCli(['kb', 'status', aId])).exitCode).toBe(1); // the old version was deleted

    const fourth = await runCli(['--json', 'kb', 'sync', 'sync', '--delete'], { cwd: directory });
    expect(fourth.exitCode, fourth.stderr).toBe(0);
    expect(jsonLines(fourth.stdout)).toEqual([
      { action: 'delete', path: `sub/${b}`, fileId: bId },
      { summary: { uploaded: 0, updated: 0, deleted: 1, unchanged: 3, skipped: 1, kept: 0, failed: 0 } },
    ]);
    expect(await documentsNamed([a!, b!, c!, d!])).toHaveLength(3);
    expect((await runCli(['kb', 'sync', 'sync', '--delete'], { cwd: directory })).stdout).toBe(
      'nothing to do: 3 unchanged\n',
    );
    const manifest = await readFile(join(folder, '.mstudio-sync.llm-emulator.jsonl'), 'utf8');
    expect(manifest.trimEnd().split('\n').at(-1)).toContain('"status":"deleted"');
  });

  it('resumes after Ctrl-C from its manifest: every document added once', async () => {
    const folder = join(directory, 'resume');
    await mkdir(folder);
    const names = [unique('one.md'), unique('two.md'), unique('three.md')];
    for (const name of names) await writeFile(join(folder, name), `# ${name}\n`);
    // The service never answers one AddFile: the sync waits on it until it is interrupted.
    const interrupted = await interruptWhenStalled(
      admin,
      'AddFile',
      ['kb', 'sync', 'resume', '--concurrency', '1'],
      {
        cwd: directory,
      },
    );
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.stderr).toBe('mstudio: interrupted by SIGINT\n');

    const resumed = await runCli(['kb', 'sync', 'resume'], { cwd: directory });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^(uploaded .*\n){3}3 uploaded, 0 updated, 0 deleted, 0 unchanged\n$/);
    const documents = await documentsNamed(names);
    expect(documents.map((file) => file.FileName).sort()).toEqual([...names].sort());
    expect((await runCli(['kb', 'sync', 'resume'], { cwd: directory })).stdout).toBe(
      'nothing to do: 3 unchanged\n',
    );
  });

  it('keeps an index in step with --index: new and replaced documents in, replaced and deleted ones out', async () => {
    const env = emulatorEnv();
    const client = createKnowledgeBaseClient({
      endpoint: env.MSTUDIO_ENDPOINT,
      workspaceId: env.BAILIAN_WORKSPACE_ID,
      credentials: {
        accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID!,
        accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET!,
      },
    });
    try {
      const seedName = unique('seed.md');
      await writeFile(join(directory, seedName), '# Seed\n');
      const seed = jsonLines(
        (await runCli(['--json', 'kb', 'upload', seedName, '--wait'], { cwd: directory })).stdout,
      )[0]!;
      const { indexId, jobId } = await client.createIndex({
        name: 'sync-test',
        documentIds: [seed.fileId as string],
      });
      await client.waitForIndexJob(indexId, jobId);
      const indexed = async () => {
        const ids: string[] = [];
        for await (const document of client.listIndexDocuments(indexId)) {
          if (document.Status !== 'DELETED') ids.push(document.Id!);
        }
        return ids.sort();
      };

      const folder = join(directory, 'indexed');
      await mkdir(folder);
      const [keep, gone] = [unique('keep.md'), unique('gone.md')];
      await writeFile(join(folder, keep!), '# Keep\n\nversion 1\n');
      await writeFile(join(folder, gone!), '# Gone\n');
      const first = await runCli(['--json', 'kb', 'sync', 'indexed', '--index', indexId], { cwd: directory });
      expect(first.exitCode, first.stderr).toBe(0);
      const uploads = jsonLines(first.stdout).filter((line) => line.action === 'upload');
      expect(uploads).toHaveLength(2);
      const idOf = (lines: Record<string, unknown>[], path: string) =>
        lines.find((line) => line.path === path)!.fileId as string;
      expect(await indexed()).toEqual(
        [seed.fileId as string, idOf(uploads, keep!), idOf(uploads, gone!)].sort(),
      );

      await writeFile(join(folder, keep!), '# Keep\n\nversion 2\n');
      await rm(join(folder, gone!));
      const second = await runCli(['--json', 'kb', 'sync', 'indexed', '--index', indexId, '--delete'], {
        cwd: directory,
      });
      expect(second.exitCode, second.stderr).toBe(0);
      const steps = jsonLines(second.stdout);
      expect(steps.map((step) => step.action)).toEqual(['update', 'delete', undefined]);
      expect(await indexed()).toEqual([seed.fileId as string, steps[0]!.fileId as string].sort());
    } finally {
      await client.close();
    }
  });

  it('uploads a changed file as new when its document was deleted elsewhere', async () => {
    const folder = join(directory, 'vanished');
    await mkdir(folder);
    const name = unique('memo.md');
    await writeFile(join(folder, name), '# Memo\n\nversion 1\n');
    const first = await runCli(['--json', 'kb', 'sync', 'vanished'], { cwd: directory });
    expect(first.exitCode, first.stderr).toBe(0);
    const oldId = jsonLines(first.stdout)[0]!.fileId as string;
    expect((await runCli(['kb', 'delete', oldId])).exitCode).toBe(0);

    await writeFile(join(folder, name), '# Memo\n\nversion 2\n');
    const second = await runCli(['kb', 'sync', 'vanished'], { cwd: directory });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(
        `^uploaded ${name} {2}file_\\S+ {2}\\(its document ${oldId} was gone\\)\n1 uploaded, 0 updated, 0 deleted, 0 unchanged\n$`,
      ),
    );
    const [current] = await documentsNamed([name]);

    // Removed from the folder and deleted by hand too: --delete finds it gone, which is what it wanted.
    await rm(join(folder, name));
    expect((await runCli(['kb', 'delete', current!.FileId as string])).exitCode).toBe(0);
    const third = await runCli(['kb', 'sync', 'vanished', '--delete'], { cwd: directory });
    expect(third.exitCode, third.stderr).toBe(0);
    expect(third.stdout).toBe(
      `deleted  ${name}  ${current!.FileId}\n0 uploaded, 0 updated, 1 deleted, 0 unchanged\n`,
    );
  });

  it('finishes a replacement interrupted before the old version was deleted: one document, the new one', async () => {
    const { name, oldId, version2 } = await syncedThenChanged('replaced');
    // The service never answers the DeleteFile of the old version: the new one is parsed, the old one still there.
    const interrupted = await interruptWhenStalled(admin, 'DeleteFile', ['kb', 'sync', 'replaced'], {
      cwd: directory,
    });
    expect(interrupted).toMatchObject({ exitCode: 130, stderr: 'mstudio: interrupted by SIGINT\n' });
    const both = await documentsNamed([name]);
    expect(both.map((file) => file.FileId)).toContain(oldId);
    expect(both).toHaveLength(2);
    const newId = both.find((file) => file.FileId !== oldId)!.FileId as string;

    const resumed = await runCli(['kb', 'sync', 'replaced'], { cwd: directory });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(
      `updated  ${name}  ${oldId} -> ${newId}\n0 uploaded, 1 updated, 0 deleted, 0 unchanged\n`,
    );
    expect(await documentsNamed([name])).toEqual([
      expect.objectContaining({ FileId: newId, SizeInBytes: Buffer.byteLength(version2) }),
    ]);
    expect((await runCli(['kb', 'sync', 'replaced'], { cwd: directory })).stdout).toBe(
      'nothing to do: 1 unchanged\n',
    );
  });

  it.each([
    ['before its new version was added (AddFile never answered)', 'AddFile', []],
    [
      'after its new version was added, before it was seen parsed',
      'DescribeFile',
      // The first DescribeFile (of the old version) passes; the first poll of the new one is never answered.
      [{ route: 'DescribeFile', fault: { type: 'delay', delayMs: 1 } } as const],
    ],
  ])('finishes a replacement interrupted %s: one document, the new one', async (_when, route, before) => {
    const folderName = `interrupted-${route}`;
    const { name, oldId, version2 } = await syncedThenChanged(folderName);
    for (const rule of before) await admin.addFault(rule);
    const interrupted = await interruptWhenStalled(admin, route, ['kb', 'sync', folderName], {
      cwd: directory,
    });
    expect(interrupted).toMatchObject({ exitCode: 130, stderr: 'mstudio: interrupted by SIGINT\n' });

    const resumed = await runCli(['kb', 'sync', folderName], { cwd: directory });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const [, newId] =
      /^updated {2}\S+ {2}\S+ -> (file_\S+)\n0 uploaded, 1 updated, 0 deleted, 0 unchanged\n$/.exec(
        resumed.stdout,
      ) ?? [];
    expect(resumed.stdout).toContain(`updated  ${name}  ${oldId} -> `);
    expect(await documentsNamed([name])).toEqual([
      expect.objectContaining({ FileId: newId, SizeInBytes: Buffer.byteLength(version2) }),
    ]);
  });

  it('still matches its manifest after the folder moved, and reads manifests that name absolute paths only', async () => {
    const names = [unique('one.md'), unique('two.md')];
    await mkdir(join(directory, 'moving', 'sub'), { recursive: true });
    await writeFile(join(directory, 'moving', names[0]!), '# One\n');
    await writeFile(join(directory, 'moving', 'sub', names[1]!), '# Two\n');
    const first = await runCli(['kb', 'sync', 'moving'], { cwd: directory });
    expect(first.exitCode, first.stderr).toBe(0);

    await rename(join(directory, 'moving'), join(directory, 'moved'));
    const moved = await runCli(['kb', 'sync', 'moved'], { cwd: directory });
    expect(moved).toMatchObject({ exitCode: 0, stdout: 'nothing to do: 2 unchanged\n' });

    // A manifest of an earlier version: lines name the absolute path, no relative one.
    const manifest = join(directory, 'moved', '.mstudio-sync.llm-emulator.jsonl');
    const lines = (await readFile(manifest, 'utf8')).trimEnd().split('\n');
    await writeFile(
      manifest,
      lines
        .map((line) => {
          const { path, source, ...entry } = JSON.parse(line) as Record<string, unknown>;
          return JSON.stringify({
            ...entry,
            source: path === undefined ? source : join(directory, 'moved', path as string),
          });
        })
        .join('\n'),
    );
    const old = await runCli(['kb', 'sync', 'moved'], { cwd: directory });
    expect(old).toMatchObject({ exitCode: 0, stdout: 'nothing to do: 2 unchanged\n' });
    expect(await documentsNamed(names)).toHaveLength(2);
  });

  it('refuses a path that is not a folder', async () => {
    const run = await runCli(['kb', 'sync', 'no-such-folder'], { cwd: directory });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('mstudio: FOLDER_NOT_FOUND: no-such-folder is not a folder\n');
  });
});
