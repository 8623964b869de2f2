#!/usr/bin/env bash
# Runs the commands of README.md as written, in order, as a newcomer would, and checks what they
# print; .ci/run runs it after the build, so that the README stays true.
#
#   src/test/sh/readme-commands.sh [--here]
#
# By default the commands run in a fresh clone of this repository's HEAD (in a temporary
# directory, removed afterwards), so the launcher's first build is tried too; --here runs them in
# this working tree instead. Needs bash 4+, git, curl and cmp; python3 for the HTTP server the
# tunnels reach (without it, the jwebserver of the JDK the build selected stands in). The ports the
# README uses (8000, 9000, 1977, 1978 on 127.0.0.1) must be free.
#
# How README.md is read: each ```sh block, in order. A command is a line that does not start with
# '#' (a trailing "  # comment" is not part of it). The "# ..." lines right after a command are
# what it prints, in that order (it may print more lines between and after them), where "…" stands
# for any text and "<NAME>" for a value that is remembered: where NAME shows up again, in a later
# command or output, it is that value. A blank line ends them; "# ..." lines after a blank line
# are commentary.
#
# How each command is run:
# - ./mixnet-streams tunnel|emulator|tunnel-server|tunnel-client ...: long-running. Started in the
#   background; it must print the lines shown. At the end of its block (the
#   emulator: at the end, since later blocks use it) it gets SIGINT, as from Ctrl-C, and must exit
#   with status 0 after printing "<command> stopped...".
# - python3 -m http.server PORT ... &: started in the background, unless that port is served already.
# - Other ./mixnet-streams commands, curl, and ./mvnw with -Dtest: run; must exit 0 and print what
#   is shown.
# - Not run, with the reason printed: plain ./mvnw -B verify (.ci/run runs it first), -Plong
#   (long), blocks with a nym-client command (they need a real nym-client), benchmarks (long;
#   .ci/run builds their jar).
# Any other command fails the run: a README command that nothing checks may have stopped working.
set -uo pipefail

here=false
[ "${1:-}" = "--here" ] && here=true
source_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
work=$(mktemp -d "${TMPDIR:-/tmp}/readme-commands.XXXXXX")
if $here; then
    root=$source_root
else
    root=$work/clone
    git clone -q "$source_root" "$root" || { echo "readme-commands: cannot clone $source_root" >&2; exit 1; }
fi
cd "$root" || exit 1
set -m # background commands get process groups of their own, and SIGINT as from a terminal

passed=0
failed=0
skipped=0
declare -A value=()       # <NAME> -> the value it stood for
declare -A new_value=()   # what the check under way would bind
declare -a block_jobs=()  # long-running commands of the current block: "pid name outfile"
declare -a kept_jobs=()   # long-running commands stopped at the end (the emulator)
http_pid=

say() { printf '%s\n' "$*"; }
pass() { passed=$((passed + 1)); say "  ok"; }
fail() { failed=$((failed + 1)); say "  FAILED: $*"; }
skip() { skipped=$((skipped + 1)); say "  skipped: $*"; }

# Whether something listens on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The command with every remembered <NAME> replaced by its value.
substitute() {
    local text=$1 name
    for name in "${!value[@]}"; do
        text=${text//"<$name>"/${value[$name]}}
    done
    printf '%s' "$text"
}

# Checks one printed line against one expected line; the <NAME>s it binds go into new_value.
matches() {
    local actual=$1 expected=$2 regex names=() name i
    expected=$(substitute "$expected")
    regex=$(printf '%s' "$expected" | sed -e 's/[][\.^$*+?(){}|/]/\\&/g' -e 's/…/.*/g' -e 's/<[^>]*>/(.+)/g')
    while IFS= read -r name; do
        [ -n "$name" ] && names+=("${name:1:${#name}-2}")
    done < <(printf '%s\n' "$expected" | grep -o '<[^>]*>')
    [[ $actual =~ ^${regex}$ ]] || return 1
    for i in "${!names[@]}"; do
        new_value[${names[$i]}]=${BASH_REMATCH[$((i + 1))]}
    done
}

# Checks that the expected lines appear among the file's complete lines in that order (other
# lines may come between); only then are the <NAME>s they bind remembered.
check_output() {
    local file=$1; shift
    local -a lines=()
    local expected n=0 name
    new_value=()
    [ -f "$file" ] && mapfile -t lines < "$file"
    # The last line counts only once its newline is there: it may still be being written.
    if [ ${#lines[@]} -gt 0 ] && [ -n "$(tail -c 1 "$file")" ]; then
        unset 'lines[${#lines[@]}-1]'
    fi
    for expected in "$@"; do
        while :; do
            if [ "$n" -ge "${#lines[@]}" ]; then
                [ -n "${quiet_check:-}" ] || say "  missing, in this order after what came before: $expected"
                return 1
            fi
            n=$((n + 1))
            matches "${lines[$((n - 1))]}" "$expected" && break
        done
    done
    for name in "${!new_value[@]}"; do
        value[$name]=${new_value[$name]}
    done
}

# Waits until a long-running command has printed the expected lines, or has ended; at most 300 s
# (it may be the first run, which builds the jar).
await_output() {
    local file=$1 pid=$2; shift 2
    local deadline=$((SECONDS + 300))
    until quiet_check=1 check_output "$file" "$@" || ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; do
        sleep 0.2
    done
}

# Stops a long-running command as Ctrl-C would and checks how it ended.
stop_job() {
    local pid=$1 name=$2 out=$3 status deadline=$((SECONDS + 60))
    say "\$ ^C  ($name)"
    kill -INT "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        fail "$name did not stop within 60 s of SIGINT"
        return
    fi
    wait "$pid"
    status=$?
    sed 's/^/  | /' "$out"
    if [ "$status" -ne 0 ]; then
        fail "$name exited with status $status after SIGINT, not 0"
    elif ! grep -q "^$name stopped" "$out"; then
        fail "$name printed no \"$name stopped\" summary"
    else
        pass
    fi
}

end_block() {
    local i job
    for ((i = ${#block_jobs[@]} - 1; i >= 0; i--)); do
        job=${block_jobs[$i]}
        stop_job ${job%% *} "$(cut -d' ' -f2 <<< "$job")" "${job##* }"
    done
    block_jobs=()
}

cleanup() {
    local job
    for job in "${block_jobs[@]}" "${kept_jobs[@]}"; do
        kill -KILL "${job%% *}" 2>/dev/null
    done
    if [ -n "$http_pid" ]; then
        kill "$http_pid" 2>/dev/null
        wait "$http_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The HTTP server of "python3 -m http.server PORT --bind 127.0.0.1 &".
start_http_server() {
    local port
    port=$(awk '{print $4}' <<< "$1")
    if listening "$port"; then
        skip "port $port is served already (by the server started above)"
        return
    fi
    if command -v python3 >/dev/null 2>&1; then
        ${1%&} < /dev/null > "$work/http.log" 2>&1 &
    else
        say "  (no python3: the selected JDK's jwebserver serves this directory instead)"
        "$(head -n 1 target/jdk/java-home)/bin/jwebserver" -b 127.0.0.1 -p "$port" < /dev/null > "$work/http.log" 2>&1 &
    fi
    http_pid=$!
    local deadline=$((SECONDS + 30))
    until listening "$port" || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
    if listening "$port"; then pass; else fail "no HTTP server on port $port"; fi
}

run_command() {
    local command=$1; shift
    local name out
    say "\$ $command"
    case $command in
        "./mvnw -B verify")
            skip ".ci/run runs it before this script" ;;
        *-Plong*)
            skip "long: the soaks and fuzz campaigns" ;;
        benchmarks/*|*"-f benchmarks/pom.xml"*)
            skip "benchmarks: long runs; .ci/run builds their jar" ;;
        "python3 -m http.server "*"&")
            start_http_server "$command" ;;
        "./mixnet-streams "*)
            command=$(substitute "$command")
            name=$(awk '{print $2}' <<< "$command")
            out=$work/$((passed + failed + skipped)).out
            case $name in
                tunnel|emulator|tunnel-server|tunnel-client)
                    bash -c "exec $command" < /dev/null > "$out" 2> "$out.err" &
                    local pid=$!
                    await_output "$out" "$pid" "$@"
                    if ! kill -0 "$pid" 2>/dev/null; then
                        wait "$pid"
                        fail "it ended (status $?) instead of running on"
                        sed 's/^/  | /' "$out" "$out.err"
                    elif check_output "$out" "$@"; then
                        pass
                    else
                        fail "it printed other lines than README.md shows"
                    fi
                    if kill -0 "$pid" 2>/dev/null; then
                        if [ "$name" = emulator ]; then kept_jobs+=("$pid $name $out"); else block_jobs+=("$pid $name $out"); fi
                    fi ;;
                *)
                    run_foreground "$command" "$out" "$@" ;;
            esac ;;
        "curl "*|"./mvnw "*-Dtest=*)
            run_foreground "$(substitute "$command")" "$work/$((passed + failed + skipped)).out" "$@" ;;
        *)
            fail "README.md has a command this script does not know: add how to check it" ;;
    esac
}

run_foreground() {
    local command=$1 out=$2; shift 2
    timeout 600 bash -c "$command" < /dev/null > "$out" 2> "$out.err"
    local status=$?
    if [ "$status" -ne 0 ]; then
        sed 's/^/  | /' "$out" "$out.err" | tail -n 40
        fail "exit status $status"
    elif ! check_output "$out" "$@"; then
        fail "it printed other lines than README.md shows"
    else
        sed 's/^/  | /' "$out" | tail -n 10
        pass
    fi
}

for port in 8000 9000 1977 1978; do
    if listening "$port"; then
        say "readme-commands: port $port on 127.0.0.1 is in use; the README's commands need it free"
        exit 1
    fi
done
say "readme-commands: README.md's commands in $root ($(java -version 2>&1 | head -n 1))"

# Parse README.md into blocks of commands with their expected lines, then run them.
in_block=false
block_has_nym_client=false
declare -a block_lines=()
run_block() {
    local i=0 line command expected after_blank
    if $block_has_nym_client; then
        for line in "${block_lines[@]}"; do
            [[ $line == \#* || -z $line ]] && continue
            say "\$ $(sed -e 's/  *#.*$//' -e 's/[[:space:]]*$//' <<< "$line")"
            skip "needs a real nym-client"
        done
        return
    fi
    while [ $i -lt ${#block_lines[@]} ]; do
        line=${block_lines[$i]}
        i=$((i + 1))
        [[ -z $line || $line == \#* ]] && continue
        command=$(sed -e 's/  *#.*$//' -e 's/[[:space:]]*$//' <<< "$line")
        expected=()
        while [ $i -lt ${#block_lines[@]} ] && [[ ${block_lines[$i]} == "# "* ]]; do
            expected+=("${block_lines[$i]#\# }")
            i=$((i + 1))
        done
        run_command "$command" ${expected[@]+"${expected[@]}"}
    done
    end_block
}
while IFS= read -r line <&3; do
    if ! $in_block && [ "$line" = '```sh' ]; then
        in_block=true
        block_lines=()
        block_has_nym_client=false
    elif $in_block && [ "$line" = '```' ]; then
        in_block=false
        run_block
    elif $in_block; then
        block_lines+=("$line")
        [[ $line == "nym-client "* ]] && block_has_nym_client=true
    fi
done 3< README.md

for job in "${kept_jobs[@]}"; do
    stop_job ${job%% *} "$(cut -d' ' -f2 <<< "$job")" "${job##* }"
done
kept_jobs=()

say "readme-commands: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
