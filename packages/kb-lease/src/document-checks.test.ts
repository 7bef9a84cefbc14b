import { InvalidInputError } from '@x/transport';
import { describe, expect, it } from 'vitest';
import { checkDocumentSize, checkFileName, checkParserConfig, checkTags } from './document-checks.js';

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!InvalidInputError.isInstance(error)) throw error;
    return error.code;
  }
}

describe('checks before any call', () => {
  it('tags: Unicode letters, digits, _ and -, up to 32 characters each (seed 001)', () => {
    expect(codeOf(() => checkTags(['产品介绍', 'v1_2-a', 'x'.repeat(32)]))).toBeUndefined();
    expect(codeOf(() => checkTags(['tag 2']))).toBe('INVALID_TAGS');
    expect(codeOf(() => checkTags(['x'.repeat(33)]))).toBe('INVALID_TAGS');
    expect(codeOf(() => checkTags(['a.b']))).toBe('INVALID_TAGS');
    expect(codeOf(() => checkTags(['']))).toBe('INVALID_TAGS');
    expect(codeOf(() => checkTags(Array.from({ length: 33 }, (_, index) => `t${index}`)))).toBe(
      'INVALID_TAGS',
    );
  });

  it('file names: 4 to 128 characters with an extension (spec §9)', () => {
    expect(codeOf(() => checkFileName('a.md'))).toBeUndefined();
    expect(codeOf(() => checkFileName(`${'名'.repeat(124)}.pdf`))).toBeUndefined();
    expect(codeOf(() => checkFileName(`${'名'.repeat(125)}.pdf`))).toBe('INVALID_FILE_NAME');
    expect(codeOf(() => checkFileName('a.b'))).toBe('INVALID_FILE_NAME');
    expect(codeOf(() => checkFileName('README'))).toBe('INVALID_FILE_NAME');
    expect(codeOf(() => checkFileName('.pdfx'))).toBe('INVALID_FILE_NAME');
    expect(codeOf(() => checkFileName('dir/a.pdf'))).toBe('INVALID_FILE_NAME');
  });

  it('sizes and types (spec §9): 100 MB documents, 20 MB spreadsheets and images', () => {
    const mebibyte = 1024 * 1024;
    expect(codeOf(() => checkDocumentSize('a.pdf', 100 * mebibyte))).toBeUndefined();
    expect(codeOf(() => checkDocumentSize('a.pdf', 100 * mebibyte + 1))).toBe('FILE_TOO_LARGE');
    expect(codeOf(() => checkDocumentSize('a.xlsx', 20 * mebibyte + 1))).toBe('FILE_TOO_LARGE');
    expect(codeOf(() => checkDocumentSize('a.PNG', 1))).toBeUndefined();
    expect(codeOf(() => checkDocumentSize('a.pdf', 0))).toBe('FILE_EMPTY');
    expect(codeOf(() => checkDocumentSize('a.exe', 10))).toBe('UNSUPPORTED_FILE_TYPE');
    expect(codeOf(() => checkDocumentSize('a.pdf', 200 * mebibyte, 300 * mebibyte))).toBeUndefined();
  });

  it('ParserConfig holds only ModelName and ModelPrompt (spec §10.3)', () => {
    expect(
      codeOf(() => checkParserConfig({ ModelName: 'qwen-vl-max', ModelPrompt: '描述图片' })),
    ).toBeUndefined();
    expect(codeOf(() => checkParserConfig({ modelName: 'qwen-vl-max' }))).toBe('INVALID_PARSER_CONFIG');
    expect(codeOf(() => checkParserConfig({ ModelName: 1 }))).toBe('INVALID_PARSER_CONFIG');
    expect(codeOf(() => checkParserConfig('{"ModelName":"x"}'))).toBe('INVALID_PARSER_CONFIG');
  });
});
