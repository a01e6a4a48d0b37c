// swift-tools-version:6.0
import PackageDescription

// No outside packages: everything here ships with the Swift toolchain or is a
// system C library present on every machine that runs it (zlib, libcrypt, libcurl,
// and libssl, which libcurl itself loads).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-warnings-as-errors"], .when(configuration: .debug)),
]

let package = Package(
    name: "ProviderExporter",
    products: [
        .executable(name: "provider_exporter", targets: ["provider_exporter"]),
    ],
    targets: [
        // Thin C wrappers for what Glibc does not expose to Swift (epoll, eventfd,
        // accept4, malloc tuning), for zlib's deflateInit2, which is a macro, and
        // for libcrypt's bcrypt (--web.config.file), linked by soname.
        .target(
            name: "CSystem",
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary(":libcrypt.so.1")]
        ),
        // libcurl's multi interface for probes, through a header of our own
        // (no -dev package needed) and the soname every Swift machine has.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary(":libcurl.so.4")]
        ),
        // libssl 3 for TLS on the listener (--web.config.file's tls_server_config),
        // the same way: a header of our own, the sonames libcurl already loads.
        .target(
            name: "CTLS",
            linkerSettings: [.linkedLibrary(":libssl.so.3"), .linkedLibrary(":libcrypto.so.3")]
        ),
        .target(
            name: "ProviderExporter",
            dependencies: ["CSystem", "CCurl", "CTLS"],
            swiftSettings: strict
        ),
        // The release binary carries the Swift runtime (-static-stdlib): it runs
        // on a machine without the toolchain, needing only libc, zlib, libcrypt
        // and libcurl, and saves the shared runtime's resident pages.
        .executableTarget(
            name: "provider_exporter",
            dependencies: ["ProviderExporter"],
            swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        // Serves the real /metrics route with synthetic series for
        // Tests/bench/scrape.sh; not a product.
        .executableTarget(
            name: "bench-scrape-server",
            dependencies: ["ProviderExporter"],
            path: "Tests/bench/ScrapeServer",
            swiftSettings: strict
        ),
        // Runs incident timelines through the exporter in virtual time for
        // Tests/replay/run.sh; not a product.
        .executableTarget(
            name: "provider-replay",
            dependencies: ["ProviderExporter"],
            path: "Tests/replay/Replay",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ProviderExporterTests",
            dependencies: ["ProviderExporter"],
            exclude: ["Golden", "Fixtures"],
            // Not -warnings-as-errors: Swift Testing's macro expansions warn on 6.3.
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
