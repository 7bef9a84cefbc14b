// A loopback HTTP server in its own process. It counts the request body's bytes and, for multipart bodies, parses
// them with busboy and hashes every file part (MD5), then answers
// {"receivedBytes", "contentLength", "fields", "files": [{ name, fileName, md5, sizeBytes }]}.
// It prints its port on stdout once listening and exits when its stdin closes.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import busboy from 'busboy';

const server = createServer((request, response) => {
  let receivedBytes = 0;
  const fields = {};
  const files = [];
  const isMultipart = (request.headers['content-type'] ?? '').startsWith('multipart/form-data');
  const parser = isMultipart ? busboy({ headers: request.headers, defParamCharset: 'utf8' }) : undefined;
  parser?.on('field', (name, value) => {
    fields[name] = value;
  });
  parser?.on('file', (name, stream, info) => {
    const hash = createHash('md5');
    let sizeBytes = 0;
    stream.on('data', (chunk) => {
      hash.update(chunk);
      sizeBytes += chunk.length;
    });
    stream.on('end', () => files.push({ name, fileName: info.filename, md5: hash.digest('hex'), sizeBytes }));
  });
  const answer = () => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        receivedBytes,
        contentLength: request.headers['content-length'] ?? null,
        fields,
        files,
      }),
    );
  };
  request.on('data', (chunk) => {
    receivedBytes += chunk.length;
    parser?.write(chunk);
  });
  request.on('end', () => {
    if (!parser) return answer();
    parser.on('close', answer);
    parser.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
