import ArgumentParser

/// `llmcache`: operate and tune the cache from a terminal.
@main
struct LLMCacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llmcache",
        abstract: "Operate and tune an LLMCache deployment.",
        subcommands: [
            EmbedCommand.self, CalibrateCommand.self, InvalidateCommand.self, BumpVersionCommand.self, FlushCommand.self,
            StatsCommand.self, InspectCommand.self, BenchCommand.self, TrainVerifierCommand.self, FeedbackCommand.self, ServeCommand.self,
        ])
}
