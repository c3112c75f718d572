# shellcheck shell=bash
# Apache Kafka 3.9 from its Maven artifacts: one KRaft broker+controller on the JVM, bounded heap.

KAFKA_HOME="$INFRA_HOME/kafka"
KAFKA_CLUSTER_ID="bGFiLWxvY2FsLWthZmthMQ"

require_java() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless || return 1
  command -v mvn >/dev/null 2>&1 || apt_install maven || return 1
}

kafka_install() {
  [[ -d "$KAFKA_HOME/libs" && "$(installed_version kafka)" == "$KAFKA_VERSION" ]] && return 0
  require_java || return 1
  say "kafka: resolving Apache Kafka $KAFKA_VERSION and its dependencies with Maven"
  local log="$INFRA_LOGS/kafka-install.log"
  rm -rf "$KAFKA_HOME/libs"
  if ! mvn -B -q -f "$INFRA_ROOT/scripts/infra/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" >"$log" 2>&1; then
    log_tail "$log" 30
    fail "kafka: Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (log: $log): is Maven Central reachable?"
    return 1
  fi
  mark_installed kafka "$KAFKA_VERSION"
}

kafka_ready() {
  port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$INFRA_LOGS/kafka.log" 2>/dev/null
}

kafka_write_config() {
  local data="$1"
  cat >"$KAFKA_HOME/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$INFRA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$INFRA_HOST:$KAFKA_PORT,CONTROLLER://$INFRA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$INFRA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
PROPS
  cat >"$KAFKA_HOME/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=WARN
log4j.logger.kafka.log.LogCleaner=WARN
PROPS
}

# The JVM options of every Kafka process: a bounded heap, the project's log4j configuration.
kafka_jvm_options() {
  echo -Xms128m -Xmx"${INFRA_KAFKA_HEAP:-512m}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_HOME/log4j.properties"
}

kafka_up() {
  kafka_install || return 1
  kafka_ready && pid_alive kafka && return 0
  if port_open "$KAFKA_PORT" && ! pid_alive kafka; then
    not_ours kafka "$KAFKA_PORT"
    return 1
  fi
  local data="$INFRA_DATA/kafka" log="$INFRA_LOGS/kafka.log"
  mkdir -p "$data"
  if pid_alive kafka; then stop_daemon kafka 20; fi
  kafka_write_config "$data"
  if [[ ! -f "$data/meta.properties" ]]; then
    # shellcheck disable=SC2046
    if ! java $(kafka_jvm_options) -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" -c "$KAFKA_HOME/server.properties" \
      --ignore-formatted >"$INFRA_LOGS/kafka-format.log" 2>&1; then
      log_tail "$INFRA_LOGS/kafka-format.log"
      fail "kafka: formatting the KRaft storage in $data failed (log: $INFRA_LOGS/kafka-format.log)"
      return 1
    fi
  fi
  say "kafka: starting the KRaft broker on $INFRA_HOST:$KAFKA_PORT"
  : >"$log"
  # shellcheck disable=SC2046
  start_daemon kafka "$log" java $(kafka_jvm_options) -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$KAFKA_HOME/server.properties"
  if ! wait_for_daemon kafka 90 kafka_ready; then
    log_tail "$log" 30
    fail "kafka: broker not started on $INFRA_HOST:$KAFKA_PORT within 90s (log: $log); is the port taken? (INFRA_KAFKA_PORT changes it)"
  fi
}

kafka_down() { stop_daemon kafka 30; }

kafka_status() {
  if kafka_ready && pid_alive kafka; then echo "up    $INFRA_HOST:$KAFKA_PORT  Apache Kafka $(installed_version kafka) (KRaft)"; else echo "down"; fi
}

kafka_env() { echo "KAFKA_BROKERS=$INFRA_HOST:$KAFKA_PORT"; }
