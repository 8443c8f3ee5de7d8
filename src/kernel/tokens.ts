/** Every injection token, in one place. Interfaces have no runtime type, so each gets a symbol. */
export const TRANSPORT = Symbol.for('cc2cc.Transport');
export const ROUTER = Symbol.for('cc2cc.Router');
export const SINK = Symbol.for('cc2cc.Sink');
export const CONFIG = Symbol.for('cc2cc.Config');
export const CLOCK = Symbol.for('cc2cc.Clock');
export const LOGGER = Symbol.for('cc2cc.Logger');
export const HOOKS = Symbol.for('cc2cc.Hooks');
export const BUS = Symbol.for('cc2cc.Bus');
/** `ServiceLookup` (src/kernel/services.ts): an optional service by token, through the container. */
export const SERVICES = Symbol.for('cc2cc.Services');
/** The bus state (`State`): the transport's `busState`, else one kept in this process. */
export const STATE = Symbol.for('cc2cc.State');
/** Provided by the request-reply plugin; `Bus.request` uses it. */
export const REQUESTS = Symbol.for('cc2cc.Requests');
/** Provided by the approvals plugin (`ApprovalsService`, src/kernel/approvals-service.ts); `cc2cc ui` uses it. */
export const APPROVALS = Symbol.for('cc2cc.Approvals');
/** Provided by a plugin that guards file edits (claims); `cc2cc hook pre-tool` asks it. */
export const EDIT_GUARD = Symbol.for('cc2cc.EditGuard');
