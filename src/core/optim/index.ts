// Optimisers: gradient transformations, their compositions and schedules.
export * from "./alias.js";
export * from "./schedules.js";
export * from "./transform.js";
