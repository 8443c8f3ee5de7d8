/** First-party plugins (`cc2cc/plugins`): import a factory, or name it in the config. */
export { builtinPlugins } from './builtin.js';
export { rooms, joinedRooms, type RoomsOptions } from './rooms/index.js';
export { topics, subscriptions } from './topics/index.js';
export { requestReply, type RequestReplyOptions } from './request-reply/index.js';
export { filters, droppedCounts, type FiltersOptions, type FilterRule } from './filters/index.js';
export { signing, signatureFor, canonicalJson, type SigningOptions } from './signing/index.js';
export {
  approvals,
  listApprovals,
  answerApproval,
  type ApprovalsOptions,
  type ApprovalRecord,
} from './approvals/index.js';
export { claims, allClaims, globsOverlap, globMatches, type ClaimsOptions, type Claim } from './claims/index.js';
