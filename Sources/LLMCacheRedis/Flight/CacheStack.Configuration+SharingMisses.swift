import LLMCache

extension CacheStack.Configuration {
    /// This configuration with misses shared among every process of
    /// `namespace` (see ``RedisMissCoordinator``): replicas that miss the
    /// same request at once call the model once. Needs a `RedisExactTier`
    /// of the namespace in the stack, which hands the answer over.
    public func sharingMisses(
        through namespace: RedisNamespace, leaseDuration: Duration = RedisMissCoordinator.defaultLeaseDuration,
        waitBudget: Duration = RedisMissCoordinator.defaultWaitBudget
    ) -> Self {
        var configuration = self
        configuration.missCoordinator = RedisMissCoordinator(
            namespace: namespace, leaseDuration: leaseDuration, waitBudget: waitBudget, logger: namespace.logger)
        return configuration
    }
}
