import { documentedErrors, isDocumentedCode } from './documented-errors.js';

/** Answer with an error status instead of calling the service. */
export interface StatusFault {
  /** Discriminant. */
  readonly type: 'status';
  /** HTTP status, e.g. 429, 500 or 503. */
  readonly status: number;
  /**
   * The wait the answer asks for, in seconds: `Retry-After` in seconds, or on Bailian routes `x-acs-retry-after` in
   * milliseconds instead (the service's own header, specs/bailian-data-api.md §7).
   * @default 1 for 429, none otherwise
   */
  readonly retryAfterSeconds?: number;
  /**
   * Service error code in the body.
   * @default the code the route's own service answers the status with (429: `Throttling.RateQuota` on DashScope and
   * the Files API, `DataCenter.Throttling` on Bailian; 500 `InternalError`; 503 `ServiceUnavailable`...), `Fault` for
   * a status it never answers
   */
  readonly code?: string;
  /**
   * Error message in the body.
   * @default a message matching the status
   */
  readonly message?: string;
}

/**
 * Answer with a documented error code, by name: its HTTP status and message come from the catalog of the codes the
 * services document ({@link documentedErrors}), its format from the route's surface (OSS XML, DashScope body, OpenAI
 * envelope, Bailian envelope).
 */
export interface ErrorFault {
  /** Discriminant. */
  readonly type: 'error';
  /** A documented code: `Throttling.RateQuota`, `Arrearage`, `DataCenter.FileTooLarge`, `Index.NoWorkspacePermissions`... */
  readonly code: string;
  /**
   * Error message in the body.
   * @default the service's message for the code
   */
  readonly message?: string;
  /**
   * The wait the answer asks for, in seconds: `Retry-After`, or on Bailian routes `x-acs-retry-after` in milliseconds
   * instead.
   * @default 1 for a 429 code, none otherwise
   */
  readonly retryAfterSeconds?: number;
}

/**
 * Answer HTTP 200 with `Success: false` and an error `Code`/`Message` in the Bailian envelope (specs/bailian-data-api.md
 * §7: the official SDK returns such a body without throwing), so a client is proved to read `Success`, not only the
 * status. Meant for Bailian API routes; other surfaces write their own error body with status 200.
 */
export interface SuccessFalseFault {
  /** Discriminant. */
  readonly type: 'successFalse';
  /**
   * Error code in the body.
   * @default 'InternalError'
   */
  readonly code?: string;
  /**
   * Error message in the body.
   * @default the documented message of the code, else a generic one
   */
  readonly message?: string;
  /**
   * The retry hint a throttled answer carries, in seconds, sent as `x-acs-retry-after` in milliseconds: the header
   * the official SDK reads a Bailian throttle's wait from (specs/bailian-data-api.md §7: `ThrottlingError`'s
   * `retryAfter` is `x-acs-retry-after`, which openapi-core's `getThrottlingTimeLeft` passes on as milliseconds).
   * Meant for a `Throttling` code such as `DataCenter.Throttling`.
   * @default none (no retry headers)
   */
  readonly retryAfterSeconds?: number;
}

/** Drop the connection in the middle of a body. */
export interface ResetFault {
  /** Discriminant. */
  readonly type: 'reset';
  /**
   * `request`: destroy the socket after the first chunk of the request body has arrived (at once if there is no
   * body). `response`: send a 200 head announcing a body, half of it, then destroy the socket.
   * @default 'request'
   */
  readonly phase?: 'request' | 'response';
}

/**
 * Let the service handle the request in full (its state changes: a file is added, a lease consumed, a file deleted),
 * then lose the answer: the connection is reset instead of the answer reaching the client. The client cannot tell
 * whether the service acted, which is what an exactly-once client must be proved against (specs/bailian-data-api.md
 * §10.6: AddFile is not idempotent; on a lost answer, look the file up before sending it again). Any route. The call is
 * recorded with the status the service answered and `fault: 'answerLost'`. (A `reset` fault drops the request
 * before the service acts on it.)
 */
export interface AnswerLostFault {
  /** Discriminant. */
  readonly type: 'answerLost';
  /**
   * Where the answer is cut. `head`: no byte of it is sent, the socket is destroyed (the client sees the connection
   * reset before any status). `body`: its head and the first half of its body are sent, then the socket is destroyed.
   * @default 'body'
   */
  readonly at?: 'head' | 'body';
}

/** Wait before answering normally. */
export interface DelayFault {
  /** Discriminant. */
  readonly type: 'delay';
  /** Real milliseconds to wait before the service handles the request. */
  readonly delayMs: number;
}

/** Stop in the middle of the exchange and never finish it (until the client gives up or the emulator closes). */
export interface StallFault {
  /** Discriminant. */
  readonly type: 'stall';
  /**
   * `request`: stop reading the request body and never answer. `response`: read the request, send a 200 head
   * announcing a body and the first bytes of it, then send nothing more.
   * @default 'request'
   */
  readonly phase?: 'request' | 'response';
}

/**
 * Let an AddFile through, answered as usual, and make the document it creates fail the service's content safety check
 * (specs/bailian-data-api.md §3.4): a SESSION_FILE goes `INIT` -> `SAFE_CHECKING` -> `SAFE_CHECK_FAILED`; an
 * UNSTRUCTURED document, whose states have no safety check of their own, ends `PARSE_FAILED` with the message as its
 * `ParseErrorMessage`. Only on the route `AddFile`.
 */
export interface SafeCheckFailedFault {
  /** Discriminant. */
  readonly type: 'safeCheckFailed';
  /**
   * Why the check failed, as DescribeFile reports it (`ParseErrorMessage`).
   * @default 'The document failed the content safety check.'
   */
  readonly message?: string;
}

/**
 * What the emulator does instead of, or before, answering a request (or, for `safeCheckFailed` and `answerLost`,
 * after the service handled it).
 */
export type Fault =
  | StatusFault
  | ErrorFault
  | SuccessFalseFault
  | ResetFault
  | AnswerLostFault
  | DelayFault
  | StallFault
  | SafeCheckFailedFault;

/** When a fault applies. Plain JSON, so the admin endpoint accepts the same shape. */
export interface FaultRule {
  /**
   * Route name (`dashscope.getPolicy`, `oss.postObject`, `files.upload`, `AddFile`...), or a prefix ending in `*`
   * (`oss.*`). Omitted: every route.
   * @default every route
   */
  readonly route?: string;
  /** The fault to inject. */
  readonly fault: Fault;
  /**
   * How many times the fault fires before the rule is used up; `'always'` never uses it up.
   * @default 1
   */
  readonly times?: number | 'always';
  /**
   * Matching requests to let through untouched before the rule starts firing.
   * @default 0
   */
  readonly after?: number;
  /**
   * Chance in [0, 1] that a matching request gets the fault, drawn from the plan's seeded generator, so a run with
   * the same seed and the same requests injects the same faults.
   * @default 1
   */
  readonly probability?: number;
}

/** Options of {@link createFaultPlan}. */
export interface FaultPlanOptions {
  /**
   * Seed of the generator behind `probability`.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Rules active from the start.
   * @default []
   */
  readonly rules?: readonly FaultRule[];
}

/** A rule as the plan holds it, with what is left of it. */
export interface PlannedFault {
  /** Identifier, increasing in the order rules were added. */
  readonly id: number;
  /** The rule as added. */
  readonly rule: FaultRule;
  /** How many more times it fires (`'always'` for unlimited). */
  readonly remaining: number | 'always';
}

/** The deterministic fault plan of an emulator (`emulator.faults`). */
export interface FaultPlan {
  /**
   * Adds a rule that fires on the next matching request (or the next `times` ones). Returns its id.
   * @throws {TypeError} When the rule is not valid.
   */
  next(rule: FaultRule): number;
  /** The rules not yet used up, oldest first. */
  pending(): PlannedFault[];
  /** Removes every rule. */
  clear(): void;
  /** The fault for one request on `route`, if a rule fires; consumes one use of that rule. */
  take(route: string): Fault | undefined;
}

interface RuleState {
  readonly id: number;
  readonly rule: FaultRule;
  remaining: number | 'always';
  skipped: number;
  readonly random: () => number;
}

/**
 * Creates a fault plan: rules matched by route, fired by count or by seeded probability, oldest first; one fault per
 * request at most.
 *
 * @example
 * ```ts
 * const faults = createFaultPlan({ seed: 7 });
 * faults.next({ route: 'dashscope.getPolicy', fault: { type: 'status', status: 429, retryAfterSeconds: 2 } });
 * faults.next({ route: 'oss.*', fault: { type: 'reset' }, times: 'always', probability: 0.1 });
 * ```
 * @throws {TypeError} When a rule in `options.rules` is not valid.
 */
export function createFaultPlan(options: FaultPlanOptions = {}): FaultPlan {
  const seed = options.seed ?? 1;
  let rules: RuleState[] = [];
  let nextId = 1;

  const plan: FaultPlan = {
    next(rule) {
      validateFaultRule(rule);
      const id = nextId++;
      rules.push({
        id,
        rule,
        remaining: rule.times ?? 1,
        skipped: 0,
        // 32-bit multiply: a float product loses the low bits for large seeds, which would give every rule the
        // same sequence (and so correlated draws).
        random: mulberry32(Math.imul(seed, 0x9e3779b1) + id),
      });
      return id;
    },
    pending: () => rules.map(({ id, rule, remaining }) => ({ id, rule, remaining })),
    clear() {
      rules = [];
    },
    take(route) {
      for (const state of rules) {
        if (!routeMatches(state.rule.route, route)) continue;
        if (state.skipped < (state.rule.after ?? 0)) {
          state.skipped += 1;
          continue;
        }
        if (state.random() >= (state.rule.probability ?? 1)) continue;
        if (state.remaining !== 'always') {
          state.remaining -= 1;
          if (state.remaining <= 0) rules = rules.filter((other) => other !== state);
        }
        return state.rule.fault;
      }
      return undefined;
    },
  };
  for (const rule of options.rules ?? []) plan.next(rule);
  return plan;
}

function routeMatches(pattern: string | undefined, route: string): boolean {
  if (pattern === undefined || pattern === '*') return true;
  return pattern.endsWith('*') ? route.startsWith(pattern.slice(0, -1)) : pattern === route;
}

/**
 * Checks that a value is a {@link FaultRule} (rules also arrive as JSON through the admin endpoint).
 * @throws {TypeError} Naming the first invalid field.
 */
export function validateFaultRule(value: unknown): asserts value is FaultRule {
  const rule = value as Partial<FaultRule> | null;
  if (typeof rule !== 'object' || rule === null) throw new TypeError('A fault rule must be an object');
  if (rule.route !== undefined && typeof rule.route !== 'string')
    throw new TypeError('route must be a string');
  const { times, after, probability } = rule;
  if (times !== undefined && times !== 'always' && !(Number.isInteger(times) && times > 0)) {
    throw new TypeError("times must be a positive integer or 'always'");
  }
  if (after !== undefined && !(Number.isInteger(after) && after >= 0)) {
    throw new TypeError('after must be a non-negative integer');
  }
  if (
    probability !== undefined &&
    !(typeof probability === 'number' && probability >= 0 && probability <= 1)
  ) {
    throw new TypeError('probability must be a number in [0, 1]');
  }
  const fault = rule.fault as Partial<Fault> | undefined;
  switch (fault?.type) {
    case 'status': {
      const { status, retryAfterSeconds } = fault as Partial<StatusFault>;
      if (!(Number.isInteger(status) && status! >= 400 && status! <= 599)) {
        throw new TypeError('fault.status must be an HTTP error status (400-599)');
      }
      if (
        retryAfterSeconds !== undefined &&
        !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0)
      ) {
        throw new TypeError('fault.retryAfterSeconds must be a non-negative integer');
      }
      return;
    }
    case 'error': {
      const { code, message, retryAfterSeconds } = fault as Partial<ErrorFault>;
      if (typeof code !== 'string' || !isDocumentedCode(code)) {
        throw new TypeError(
          `fault.code must be a documented error code (${Object.values(documentedErrors)
            .flatMap((family) => Object.keys(family))
            .filter((name, index, all) => all.indexOf(name) === index)
            .join(', ')}), got ${JSON.stringify(code)}`,
        );
      }
      if (message !== undefined && typeof message !== 'string')
        throw new TypeError('fault.message must be a string');
      if (
        retryAfterSeconds !== undefined &&
        !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0)
      ) {
        throw new TypeError('fault.retryAfterSeconds must be a non-negative integer');
      }
      return;
    }
    case 'successFalse': {
      const { code, message, retryAfterSeconds } = fault as Partial<SuccessFalseFault>;
      if (code !== undefined && (typeof code !== 'string' || code === '')) {
        throw new TypeError('fault.code must be a non-empty string');
      }
      if (message !== undefined && typeof message !== 'string')
        throw new TypeError('fault.message must be a string');
      if (
        retryAfterSeconds !== undefined &&
        !(Number.isInteger(retryAfterSeconds) && retryAfterSeconds >= 0)
      ) {
        throw new TypeError('fault.retryAfterSeconds must be a non-negative integer');
      }
      return;
    }
    case 'answerLost': {
      const { at } = fault as Partial<AnswerLostFault>;
      if (at !== undefined && at !== 'head' && at !== 'body') {
        throw new TypeError("fault.at must be 'head' or 'body'");
      }
      return;
    }
    case 'reset':
    case 'stall': {
      const { phase } = fault as Partial<ResetFault | StallFault>;
      if (phase !== undefined && phase !== 'request' && phase !== 'response') {
        throw new TypeError("fault.phase must be 'request' or 'response'");
      }
      return;
    }
    case 'delay': {
      const { delayMs } = fault as Partial<DelayFault>;
      if (!(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
        throw new TypeError('fault.delayMs must be a non-negative number');
      }
      return;
    }
    case 'safeCheckFailed': {
      if (rule.route !== 'AddFile') {
        throw new TypeError(
          "fault 'safeCheckFailed' needs route 'AddFile' (the call that creates a document)",
        );
      }
      const { message } = fault as Partial<SafeCheckFailedFault>;
      if (message !== undefined && (typeof message !== 'string' || message === '')) {
        throw new TypeError('fault.message must be a non-empty string');
      }
      return;
    }
    default:
      throw new TypeError(
        "fault.type must be 'status', 'error', 'successFalse', 'reset', 'answerLost', 'delay', 'stall' or 'safeCheckFailed'",
      );
  }
}

/** A small, fast, seedable generator (mulberry32); deterministic across platforms. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
