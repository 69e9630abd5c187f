# syntax=docker/dockerfile:1
# Build: a static binary (no cgo; SQLite is pure Go) with the default
# corpus embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/missionbot . \
 && mkdir -p /out/data

# Run: distroless static, non-root. The binary carries the default corpus;
# the index and the database live on the /data volume.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/missionbot /usr/local/bin/missionbot
COPY --from=build --chown=65532:65532 /out/data /data
ENV MISSIONBOT_DATA_DIR=/data \
    MISSIONBOT_HTTP_ADDR=:8080 \
    MISSIONBOT_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/missionbot", "health", "--addr", "127.0.0.1:8080"]
ENTRYPOINT ["/usr/local/bin/missionbot"]
CMD ["serve"]
