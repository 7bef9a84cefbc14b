import { BailianApiError } from './bailian-api-error.js';
import type { BailianApiRoute } from './bailian-routes.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

function refuse(route: BailianApiRoute, message: string): BailianApiError {
  const code = route.pattern.source.includes('index') ? 'Index.InvalidParameter' : 'InvalidParameter';
  return new BailianApiError(400, code, message);
}

/** Why `name` is not a parameter of the route, with a hint for the usual mistakes (spec §2, pitfalls 3 and 9). */
function unknownParameter(route: BailianApiRoute, name: string): BailianApiError {
  const flattened = /^([A-Za-z]+)\.\d+(?:\..*)?$/.exec(name);
  if (flattened?.[1] && route.params.includes(flattened[1])) {
    return refuse(
      route,
      `Parameter ${name} is a flattened ${flattened[1]}: send ${flattened[1]} once, as a JSON string (${flattened[1]}=["a","b"]).`,
    );
  }
  if ((name === 'ModelName' || name === 'ModelPrompt') && route.params.includes('ParserConfig')) {
    return refuse(
      route,
      `Parameter ${name} is not a parameter of ${route.action}: it goes inside ParserConfig, a JSON string ({"ModelName":"…","ModelPrompt":"…"}).`,
    );
  }
  const sameLetters = route.params.find((known) => known.toLowerCase() === name.toLowerCase());
  if (sameLetters !== undefined) {
    return refuse(
      route,
      `Parameter ${name} is not a parameter of ${route.action}: the name is ${sameLetters}.`,
    );
  }
  return refuse(
    route,
    `Parameter ${name} is not a parameter of ${route.action}${
      route.params.length === 0 ? ', which takes none' : ` (it takes ${route.params.join(', ')})`
    }.`,
  );
}

function checkNames(route: BailianApiRoute, params: URLSearchParams): void {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!route.params.includes(name)) throw unknownParameter(route, name);
    if (seen.has(name)) {
      throw refuse(route, `Parameter ${name} is repeated: send it once (lists travel as one JSON string).`);
    }
    seen.add(name);
  }
}

/**
 * The parameters of a verified call, from where the action takes them (spec §2, §3 table): the form body for form
 * actions, the query string for query actions, none for the others. A parameter the action does not take, one sent in
 * the wrong place, a repeated one or a flattened list (`Tags.1`) is refused with 400 naming it, where the service would
 * silently ignore it and the client would never learn.
 *
 * An action that takes no body (the query actions, whose POSTs CreateIndex, SubmitIndexJob,
 * SubmitIndexAddDocumentsJob, DeleteIndex and DeleteIndexDocument send "no body, `Content-Length: 0`, no
 * content-type header", spec §2; and the parameterless GET / DELETE actions, spec §6's DescribeFile capture) is
 * refused when it carries a body or a `Content-Type` header, even a bare one with no body: the header is signed
 * (spec §4), so a client that adds one sends a different request from the one the service documents.
 *
 * @example
 * ```ts
 * requestParams(addFileRoute, '', Buffer.from('LeaseId=x&Tags.1=a'), 'application/x-www-form-urlencoded');
 * // throws 400 InvalidParameter: "Parameter Tags.1 is a flattened Tags: ..."
 * requestParams(createIndexRoute, 'Name=kb', Buffer.alloc(0), 'application/x-www-form-urlencoded');
 * // throws 400 Index.InvalidParameter: "CreateIndex takes no request body: send no Content-Type header ..."
 * ```
 * @param contentType - The request's `Content-Type` header, `undefined` when it was not sent.
 * @throws {@link BailianApiError} 400 `InvalidParameter` (`Index.InvalidParameter` on index actions).
 */
export function requestParams(
  route: BailianApiRoute,
  query: string,
  body: Buffer,
  contentType: string | undefined,
): URLSearchParams {
  const queryParams = new URLSearchParams(query);
  const isForm = (contentType ?? '').toLowerCase().startsWith(FORM_TYPE);
  const bodyParams = isForm ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
  if (route.paramsIn !== 'form') {
    const [first] = bodyParams.keys();
    if (first !== undefined) {
      throw refuse(
        route,
        `Parameter ${first} must be sent in the query string: ${route.action} takes no request body.`,
      );
    }
    if (body.length > 0) throw refuse(route, `${route.action} takes no request body.`);
    if (contentType !== undefined) {
      throw refuse(
        route,
        `${route.action} takes no request body: send no Content-Type header (got ${JSON.stringify(contentType)})${
          route.paramsIn === 'query' ? '; its parameters go in the query string' : ''
        }.`,
      );
    }
  }
  if (route.paramsIn === 'query') {
    checkNames(route, queryParams);
    return queryParams;
  }
  const [inQuery] = queryParams.keys();
  if (inQuery !== undefined) {
    if (route.paramsIn === 'form' && route.params.includes(inQuery)) {
      throw refuse(route, `Parameter ${inQuery} must be sent in the form body, not the query string.`);
    }
    throw unknownParameter(route, inQuery);
  }
  if (route.paramsIn === 'none') return new URLSearchParams();
  checkNames(route, bodyParams);
  return bodyParams;
}
