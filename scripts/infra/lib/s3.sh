# shellcheck shell=bash
# An S3-compatible object store: MinIO, built from source with the Go toolchain, one bucket.

s3_install() { go_install minio github.com/minio/minio "$MINIO_VERSION"; }

s3_ready() { curl -sf -o /dev/null "http://$INFRA_HOST:$S3_PORT/minio/health/ready"; }

# A signed S3 request with curl's built-in SigV4, so no S3 client needs installing.
s3_request() {
  local method="$1" path="$2"
  curl -s -o /dev/null -w '%{http_code}' -X "$method" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "http://$INFRA_HOST:$S3_PORT/$path"
}

s3_bucket_exists() { [[ "$(s3_request HEAD "$S3_BUCKET")" == 200 ]]; }

s3_up() {
  s3_install || return 1
  local data="$INFRA_DATA/minio" log="$INFRA_LOGS/minio.log"
  if s3_ready && ! pid_alive minio; then
    not_ours s3 "$S3_PORT"
    return 1
  fi
  if ! s3_ready; then
    mkdir -p "$data"
    if pid_alive minio; then stop_daemon minio 10; fi
    say "s3: starting MinIO on $INFRA_HOST:$S3_PORT"
    start_daemon minio "$log" env MINIO_ROOT_USER="$S3_ACCESS_KEY" MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" \
      MINIO_BROWSER=off MINIO_UPDATE=off MINIO_REGION="$S3_REGION" \
      "$INFRA_BIN/minio" server "$data" --address "$INFRA_HOST:$S3_PORT" --quiet
    if ! wait_for_daemon minio 60 s3_ready; then
      log_tail "$log"
      fail "s3: MinIO not ready on $INFRA_HOST:$S3_PORT within 60s (log: $log); is the port taken? (INFRA_S3_PORT changes it)"
      return 1
    fi
  fi
  if ! s3_bucket_exists; then
    local code
    code="$(s3_request PUT "$S3_BUCKET")"
    [[ "$code" == 200 ]] || s3_bucket_exists || fail "s3: could not create bucket '$S3_BUCKET' (HTTP $code)"
  fi
}

s3_down() { stop_daemon minio 15; }

s3_status() {
  if s3_ready && pid_alive minio; then echo "up    $INFRA_HOST:$S3_PORT  MinIO $(installed_version minio)  bucket $S3_BUCKET"; else echo "down"; fi
}

s3_env() {
  echo "S3_ENDPOINT=http://$INFRA_HOST:$S3_PORT"
  echo "S3_REGION=$S3_REGION"
  echo "S3_BUCKET=$S3_BUCKET"
  echo "S3_ACCESS_KEY_ID=$S3_ACCESS_KEY"
  echo "S3_SECRET_ACCESS_KEY=$S3_SECRET_KEY"
  echo "S3_FORCE_PATH_STYLE=true"
}
