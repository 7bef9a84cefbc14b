import { TransportError, type TransportErrorOptions } from './transport-error.js';

const configurationMarker = Symbol.for('@x/transport.configuration-error');

/**
 * The request could not be sent because of how the client or the machine is set up, not because of the network:
 * a TLS certificate that does not verify (self-signed, expired, issued for another host name), or TLS spoken to a
 * plain-HTTP port. Nothing was sent (`delivery: 'not-delivered'`) and a retry fails the same way, so it is never
 * retried. The `code` says which, e.g. `TLS_CERTIFICATE`.
 *
 * @example
 * ```ts
 * if (ConfigurationError.isInstance(error) && error.code === 'TLS_CERTIFICATE') console.error('check NODE_EXTRA_CA_CERTS')
 * ```
 */
export class ConfigurationError extends TransportError {
  constructor(code: string, message: string, options: TransportErrorOptions = {}) {
    super(code, message, { ...options, delivery: 'not-delivered', isRetryable: false });
    this.name = 'ConfigurationError';
    Object.defineProperty(this, configurationMarker, { value: true });
  }

  /** True for a `ConfigurationError` from any copy of this package. */
  static override isInstance(value: unknown): value is ConfigurationError {
    return TransportError.isInstance(value) && configurationMarker in value;
  }
}
