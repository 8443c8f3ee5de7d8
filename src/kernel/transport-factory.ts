import type { Logger } from './logger.js';
import type { Transport } from './transport.js';

/** A transport a config names as an object (`transport: { create(context) }`): third-party transports. */
export interface TransportFactory {
  create(context: TransportFactoryContext): Transport | Promise<Transport>;
}

/** What a transport factory is given: where the bus lives and the limits it must keep. */
export interface TransportFactoryContext {
  /** Absolute path of the `.cc2cc/` root. */
  root: string;
  projectDir: string;
  maxBytes: number;
  logger: Logger;
}
