// swift-tools-version:5.4
import PackageDescription

// libFuzzer targets for LLMCache's parsers of untrusted bytes, one executable
// per target. Apart from the main package so that its `swift build` and
// `swift test` never see targets that link only with the fuzzer runtime; built
// and run by scripts/fuzz.sh:
//
//   swift build -c release --package-path Fuzz \   (CI: -c debug, cheaper to build)
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's
// `main` to `<Target>_main` (so tests can link executables), and the fuzz
// targets have no `main` of their own: libFuzzer's runtime provides it, and
// `-parse-as-library` keeps each `main.swift` from defining one. The Swift 6
// language mode and our upcoming features are passed as compiler flags,
// which this tools version allows a root package.
//
// The main package is a path dependency; SwiftPM names it after its folder,
// which differs between clones (main, a worktree, CI's checkout), so the
// name is computed here.
let llmcache = "\(#filePath)".split(separator: "/").dropLast(2).last.map(String.init) ?? "LLMCache"

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: products.map { .product(name: $0, package: llmcache) },
        swiftSettings: [
            .unsafeFlags([
                "-swift-version", "6",
                "-enable-upcoming-feature", "ExistentialAny",
                "-enable-upcoming-feature", "MemberImportVisibility",
            ])
        ]
    )
}

let package = Package(
    name: "LLMCacheFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        fuzzTarget("FuzzPayloadFrame", ["LLMCache"]),
        fuzzTarget("FuzzCacheEntry", ["LLMCache"]),
        fuzzTarget("FuzzChatCodable", ["LLMCache"]),
        fuzzTarget("FuzzServerSentEvents", ["LLMCacheOpenAI"]),
        fuzzTarget("FuzzWordPiece", ["LLMCacheEmbeddings"]),
        fuzzTarget("FuzzRedisReplies", ["LLMCacheRedis"]),
    ]
)
