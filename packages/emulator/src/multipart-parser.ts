import type { IncomingHttpHeaders } from 'node:http';
import busboy from 'busboy';
import { UTF8_CHARSET } from './utf8-text.js';

/**
 * The one way every multipart surface of the emulator reads a form: busboy with UTF-8 for field values and for
 * header parameters (a part's `filename`), as browsers, undici, the OpenAI SDK and OSS send them. busboy's own
 * default for parameters is Latin-1, which turns `报告.pdf` into mojibake; no surface may use it. Header values
 * outside multipart bodies are read the same way, through `headerText` (`utf8-text.ts`).
 *
 * @throws Error when the `content-type` is not multipart (busboy's own error).
 * @internal
 */
export function createMultipartParser(headers: IncomingHttpHeaders, limits: busboy.Limits): busboy.Busboy {
  return busboy({ headers, defCharset: UTF8_CHARSET, defParamCharset: UTF8_CHARSET, limits });
}
