# Tessera's container image: the binary and the CA certificates on Debian
# slim, run as an unprivileged user with its data in a volume.
#
#   docker build --build-arg TESSERA_BUILD_COMMIT=$(git rev-parse --short HEAD) -t tessera .
#   docker run --read-only --tmpfs /tmp -v tessera-data:/var/lib/tessera -p 9229:9229 \
#     -e TESSERA_PUBLIC_URL=http://localhost:9229 \
#     -e TESSERA_ACCESS_KEY_ID=... -e TESSERA_SECRET_ACCESS_KEY=... tessera
#
# The README's "Deploying" section says more.

# The toolchain CI builds and tests with.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
# The build context has no .git: the commit `tessera --version` names comes
# from here (build.rs reads it).
ARG TESSERA_BUILD_COMMIT=unknown
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
RUN cargo build --release --locked -p tessera \
    && install -D -m 0755 target/release/tessera /out/usr/local/bin/tessera

FROM debian:bookworm-slim
# Nothing is installed: the binary needs only glibc, and the CA certificates
# (for SMTP, webhooks and Lambda over TLS) come from the build stage.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/usr/local/bin/tessera /usr/local/bin/tessera
# The data directory belongs to the service's user before a volume is
# mounted on it: a new named volume takes its owner and mode (0700, which
# COPY would not keep).
RUN install -d -m 0700 -o 10001 -g 10001 /var/lib/tessera
USER 10001:10001
ENV TESSERA_LISTEN=0.0.0.0:9229 \
    TESSERA_DATA_DIR=/var/lib/tessera
VOLUME ["/var/lib/tessera"]
EXPOSE 9229
# `tessera health` asks /ready at the TESSERA_LISTEN address (no curl here).
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
    CMD ["tessera", "health", "--timeout-seconds", "5"]
ENTRYPOINT ["tessera"]
CMD ["serve"]
