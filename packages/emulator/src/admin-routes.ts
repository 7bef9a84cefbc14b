import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Emulator } from './create-emulator.js';
import { validateFaultRule } from './fault-plan.js';
import { drainRequest, RequestBodyError, readJsonBody, sendJson } from './http-reply.js';

/** The parts of an admin request. */
interface AdminRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly emulator: Emulator;
}

/**
 * Answers the admin API under `/__emulator/` (JSON in, JSON out):
 * `GET info`, `GET|DELETE calls` (`?route=` filters), `GET|POST clock` (`{ advanceMs }` or `{ setMs }`),
 * `GET|POST|DELETE faults` (POST takes one fault rule), `POST reset`, `GET state`.
 */
export async function handleAdminRequest({ request, response, url, emulator }: AdminRequest): Promise<void> {
  const method = request.method ?? 'GET';
  const name = url.pathname.slice('/__emulator/'.length).replace(/\/$/, '');
  const clockBody = () => ({
    nowMs: emulator.clock.now(),
    now: new Date(emulator.clock.now()).toISOString(),
  });
  const noContent = () => {
    response.writeHead(204);
    response.end();
  };
  try {
    switch (`${method} ${name}`) {
      case 'GET info':
        await drainRequest(request);
        return sendJson(response, 200, { url: emulator.url, account: emulator.account, ...clockBody() });
      case 'GET calls': {
        await drainRequest(request);
        const route = url.searchParams.get('route');
        const calls = route === null ? emulator.calls : emulator.calls.filter((call) => call.route === route);
        return sendJson(response, 200, { calls });
      }
      case 'DELETE calls':
        await drainRequest(request);
        emulator.clearCalls();
        return noContent();
      case 'GET clock':
        await drainRequest(request);
        return sendJson(response, 200, clockBody());
      case 'POST clock': {
        const body = (await readJsonBody(request)) as { advanceMs?: unknown; setMs?: unknown } | undefined;
        if (typeof body?.advanceMs === 'number' && Number.isFinite(body.advanceMs)) {
          emulator.clock.advance(body.advanceMs);
        } else if (typeof body?.setMs === 'number' && Number.isFinite(body.setMs)) {
          emulator.clock.set(body.setMs);
        } else {
          return sendJson(response, 400, {
            code: 'InvalidRequest',
            message: 'Send { "advanceMs": number } or { "setMs": number }',
          });
        }
        return sendJson(response, 200, clockBody());
      }
      case 'GET faults':
        await drainRequest(request);
        return sendJson(response, 200, { faults: emulator.faults.pending() });
      case 'POST faults': {
        const rule = await readJsonBody(request);
        validateFaultRule(rule);
        return sendJson(response, 201, { id: emulator.faults.next(rule) });
      }
      case 'DELETE faults':
        await drainRequest(request);
        emulator.faults.clear();
        return noContent();
      case 'POST reset':
        await drainRequest(request);
        emulator.reset();
        return noContent();
      case 'GET state':
        await drainRequest(request);
        return sendJson(response, 200, JSON.parse(JSON.stringify(emulator.state, mapsAsArrays)));
      default:
        await drainRequest(request);
        return sendJson(response, 404, {
          code: 'NotFound',
          message: `No admin route for ${method} ${url.pathname}`,
        });
    }
  } catch (error) {
    if (error instanceof RequestBodyError || error instanceof TypeError) {
      return sendJson(response, 400, { code: 'InvalidRequest', message: error.message });
    }
    throw error;
  }
}

/** JSON replacer that writes a Map as the array of its values (surface states keep records in Maps). */
function mapsAsArrays(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value.values()] : value;
}
