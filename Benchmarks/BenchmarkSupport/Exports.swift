// The measurement helpers live in a library the shipped `llmcache bench`
// uses as well; every benchmark sees them through this target.
@_exported import LLMCacheMeasurement
