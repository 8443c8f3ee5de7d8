// cc2cc/testing: the contract suites a transport, State, router or sink passes unchanged.
// They register vitest tests: vitest is a peer dependency of this entry point (docs/testing.md).
export {
  runTransportContract,
  type ContractOptions,
  type OptionalTransportClause,
  type TransportFixture,
} from './transport-contract.js';
export { runStateContract, type StateContractOptions, type StateFixture } from './state-contract.js';
export { runRouterContract, type RouterContractOptions } from './router-contract.js';
export {
  runSinkContract,
  type OptionalSinkClause,
  type SinkContractOptions,
  type SinkFixture,
} from './sink-contract.js';
export type { Skip } from './skips.js';
export { waitFor } from './wait-for.js';
