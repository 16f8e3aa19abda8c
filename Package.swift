// swift-tools-version:6.1
import PackageDescription

/// Upcoming features we hold our own code to; dependencies are unaffected.
/// `LLMCACHE_PTHREAD_LOCKS=1` (scripts/tsan.sh) builds our locks on pthread
/// mutexes, which ThreadSanitizer can see through (see CacheLock.swift).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
] + (Context.environment["LLMCACHE_PTHREAD_LOCKS"] == nil ? [] : [.define("LLMCACHE_PTHREAD_LOCKS")])

let package = Package(
    name: "LLMCache",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LLMCache", targets: ["LLMCache"]),
        .library(name: "LLMCacheRedis", targets: ["LLMCacheRedis"]),
        .library(name: "LLMCacheTesting", targets: ["LLMCacheTesting"]),
        .library(name: "LLMCacheEmbeddings", targets: ["LLMCacheEmbeddings"]),
        .library(name: "LLMCacheOpenAI", targets: ["LLMCacheOpenAI"]),
        .library(name: "LLMCacheGateway", targets: ["LLMCacheGateway"]),
        .executable(name: "llmcache", targets: ["llmcache"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.0.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, found through pkg-config.
        .systemLibrary(
            name: "CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // OpenBLAS's CBLAS interface: the matrix products of the MiniLM encoder.
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // The MiniLM encoder's inner loops in C: AVX-512 kernels chosen at run time, portable fallbacks.
        .target(name: "CLLMCacheKernels"),
        // Typed wrappers for the variadic and macro-based C APIs Swift cannot call.
        .target(name: "CLLMCacheShims", dependencies: ["CCurl"]),
        // The TLS transport of the Redis client (OpenSSL from libssl-dev behind an opaque C interface).
        .target(name: "CLLMCacheTLS", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),

        // Core: no network I/O.
        .target(
            name: "LLMCache",
            dependencies: [
                "CZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Redis tiers and their client (hiredis parses replies; plain TCP, Unix sockets or TLS carry them).
        .target(
            name: "LLMCacheRedis",
            dependencies: [
                "LLMCache", "CHiredis", "CLLMCacheTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Embedders: the native MiniLM (tokenizer and BERT encoder; model files from scripts/model.sh).
        .target(
            name: "LLMCacheEmbeddings", dependencies: ["LLMCache", "CBLAS", "CLLMCacheKernels"],
            swiftSettings: strictSettings),
        // libcurl HTTP client, the OpenAI-compatible embedder and chat client.
        .target(
            name: "LLMCacheOpenAI",
            dependencies: [
                "LLMCache", "CCurl", "CLLMCacheShims",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The OpenAI-compatible caching gateway (`llmcache serve`), on Hummingbird.
        .target(
            name: "LLMCacheGateway",
            dependencies: [
                "LLMCache", "LLMCacheRedis", "LLMCacheOpenAI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        // Helpers for users' tests (and ours): a manual clock, a deterministic embedder.
        .target(name: "LLMCacheTesting", dependencies: ["LLMCache"], swiftSettings: strictSettings),

        .executableTarget(
            name: "QuickStart",
            dependencies: ["LLMCache", "LLMCacheRedis", "LLMCacheEmbeddings", "LLMCacheOpenAI"],
            path: "Examples/QuickStart",
            swiftSettings: strictSettings
        ),

        // Measurement helpers shared by the benchmarks and `llmcache bench`:
        // latency samples, the benchmark payload, throwaway namespaces, precomputed vectors.
        .target(
            name: "LLMCacheMeasurement", dependencies: ["LLMCache", "LLMCacheRedis", "LLMCacheTesting"],
            swiftSettings: strictSettings),
        // What only the benchmark executables need (their report format), plus the helpers above.
        .target(
            name: "BenchmarkSupport", dependencies: ["LLMCacheMeasurement", "LLMCacheOpenAI"],
            path: "Benchmarks/BenchmarkSupport", swiftSettings: strictSettings),
        .executableTarget(
            name: "MemoryTierBenchmark",
            dependencies: ["LLMCache", "LLMCacheTesting", "BenchmarkSupport"],
            path: "Benchmarks/MemoryTierBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "CompressionBenchmark",
            dependencies: ["LLMCache", "LLMCacheTesting", "BenchmarkSupport"],
            path: "Benchmarks/CompressionBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "StreamingBenchmark",
            dependencies: ["LLMCache", "LLMCacheOpenAI", "BenchmarkSupport"],
            path: "Benchmarks/StreamingBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "HTTPClientBenchmark",
            dependencies: ["LLMCache", "LLMCacheOpenAI", "BenchmarkSupport"],
            path: "Benchmarks/HTTPClientBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "GatewayBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "LLMCacheOpenAI", "LLMCacheGateway", "BenchmarkSupport"],
            path: "Benchmarks/GatewayBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SemanticBenchmark",
            dependencies: ["LLMCache", "LLMCacheTesting", "BenchmarkSupport"],
            path: "Benchmarks/SemanticBenchmark",
            swiftSettings: strictSettings
        ),

        // The command-line tool.
        .executableTarget(
            name: "llmcache",
            dependencies: [
                "LLMCache", "LLMCacheEmbeddings", "LLMCacheRedis", "LLMCacheMeasurement", "LLMCacheGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "Streaming",
            dependencies: ["ExampleSupport", "LLMCache", "LLMCacheRedis", "LLMCacheOpenAI"],
            path: "Examples/Streaming",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SemanticFAQ",
            dependencies: ["LLMCache", "LLMCacheEmbeddings"],
            path: "Examples/SemanticFAQ",
            swiftSettings: strictSettings
        ),
        // What the examples that need Redis share: finding the server.
        .target(
            name: "ExampleSupport", dependencies: ["LLMCacheRedis"], path: "Examples/ExampleSupport",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "CustomStack",
            dependencies: ["LLMCache", "LLMCacheRedis", "LLMCacheEmbeddings", "ExampleSupport"],
            path: "Examples/CustomStack",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "Invalidation",
            dependencies: ["LLMCache", "LLMCacheRedis", "ExampleSupport"],
            path: "Examples/Invalidation",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "EmbedderBenchmark",
            dependencies: ["LLMCacheEmbeddings", "BenchmarkSupport"],
            path: "Benchmarks/EmbedderBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "RedisSemanticBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "LLMCacheEmbeddings", "LLMCacheTesting", "BenchmarkSupport"],
            path: "Benchmarks/RedisSemanticBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "VerifierBenchmark",
            dependencies: ["LLMCache", "LLMCacheEmbeddings", "BenchmarkSupport"],
            path: "Benchmarks/VerifierBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "StatisticsBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "BenchmarkSupport"],
            path: "Benchmarks/StatisticsBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "StallBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "BenchmarkSupport"],
            path: "Benchmarks/StallBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SharedFlightBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "BenchmarkSupport"],
            path: "Benchmarks/SharedFlightBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ClusterBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "BenchmarkSupport", "LLMCacheTesting"],
            path: "Benchmarks/ClusterBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "RedisBenchmark",
            dependencies: ["LLMCache", "LLMCacheRedis", "BenchmarkSupport", "LLMCacheTesting", "CHiredis"],
            path: "Benchmarks/RedisBenchmark",
            swiftSettings: strictSettings
        ),

        .testTarget(
            name: "LLMCacheRedisTests",
            dependencies: [
                "LLMCache", "LLMCacheRedis", "LLMCacheTesting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LLMCacheEmbeddingsTests",
            dependencies: ["LLMCacheEmbeddings", "CLLMCacheKernels"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LLMCacheGatewayTests",
            dependencies: [
                "llmcache", "LLMCacheGateway", "LLMCache", "LLMCacheOpenAI", "LLMCacheRedis", "LLMCacheTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LLMCacheOpenAITests",
            dependencies: ["LLMCache", "LLMCacheOpenAI"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LLMCacheCLITests",
            dependencies: [
                "llmcache", "SemanticFAQ", "QuickStart", "CustomStack", "Invalidation", "Streaming",
                "LLMCache", "LLMCacheEmbeddings", "LLMCacheRedis", "LLMCacheTesting",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LLMCacheTests",
            dependencies: [
                "LLMCache", "LLMCacheTesting", "CLLMCacheShims",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
