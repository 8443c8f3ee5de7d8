export { FsTransport, createFsTransport, FS_TRANSPORT_DEFAULTS, type FsTransportOptions } from './fs-transport.js';
export { FsLayout, type InboxPaths } from './layout.js';
export { MESSAGE_FILE } from './message-file.js';
export { RENAME_BUDGET_MS, renameWithRetry } from './rename-retry.js';
