import Foundation
import LLMCache

extension MiniLMEmbedder {
    /// Loads the model on a thread of its own and returns once it is ready.
    ///
    /// Loading reads the vocabulary and packs about 90 MB of weights: about
    /// 60 ms in an optimised build, longer in a debug build or when other work
    /// shares the cores. The initialiser
    /// does that on the calling thread, which in async code is one of the
    /// cooperative pool's few threads, so every other task of the process
    /// waits; call this from async code instead. Throws what the initialiser
    /// throws.
    public static func load(
        modelFolder: URL? = nil, configuration: Configuration = .init()
    ) async throws(EmbeddingError) -> MiniLMEmbedder {
        try await load(modelFolder: modelFolder, configuration: configuration, kernels: configuration.weights.kernels())
    }

    /// ``load(modelFolder:configuration:)`` with a chosen implementation of
    /// the inner loops (tests check the portable kernels on any CPU).
    static func load(
        modelFolder: URL?, configuration: Configuration, kernels: KernelSet
    ) async throws(EmbeddingError) -> MiniLMEmbedder {
        let loaded = await withCheckedContinuation { (continuation: CheckedContinuation<Result<MiniLMEmbedder, EmbeddingError>, Never>) in
            startThread(named: "minilm-loader") {
                continuation.resume(returning: Result { () throws(EmbeddingError) in
                    try MiniLMEmbedder(modelFolder: modelFolder, configuration: configuration, kernels: kernels)
                })
            }
        }
        return try loaded.get()
    }
}
