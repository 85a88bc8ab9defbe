#!/usr/bin/env bash
# cgmtop tmux plugin (TPM-compatible): replaces #{cgmtop} in status-left and
# status-right with `cgmtop status --format tmux`, which prints the newest
# glucose reading with tmux's own #[fg=…] styles and starts a background
# sync when the cache is behind; and #{cgmtop_all} with `cgmtop status --all`,
# everyone cgmtop follows on one line ("Ana 112→ 3m · Ben 245↑ 1m"), the
# urgent person reversed.
#
#   set -g @plugin 'cgmtop/cgmtop'
#   set -g status-right '#{cgmtop} | %H:%M'
#   set -g status-right '#{cgmtop_all} | %H:%M'     # several people
#
# Options (all optional):
#   @cgmtop_bin       the cgmtop executable (default: cgmtop, found on PATH)
#   @cgmtop_format    tmux (default) or plain
#   @cgmtop_args      extra flags, e.g. '--account work --units mmol/L --ascii'
#                     (#{cgmtop_all} leaves out --account: it shows everyone)
#   @cgmtop_interval  if set, the status-interval in seconds (tmux's default
#                     is 15; cgmtop status costs about as much as starting a
#                     process, so 5 is fine)

get_tmux_option() {
	local value
	value=$(tmux show-option -gqv "$1")
	if [ -n "$value" ]; then
		echo "$value"
	else
		echo "$2"
	fi
}

# without_account drops --account NAME (-a NAME, --account=NAME) from the
# words of $1: #{cgmtop_all} shows every account.
without_account() {
	local out="" skip="" word
	for word in $1; do
		if [ -n "$skip" ]; then
			skip=""
			continue
		fi
		case "$word" in
		--account | -a) skip=1 ;;
		--account=* | -a?*) ;;
		*) out="${out:+$out }$word" ;;
		esac
	done
	echo "$out"
}

main() {
	local bin format args interval command all_args all_command option value
	bin=$(get_tmux_option "@cgmtop_bin" "cgmtop")
	format=$(get_tmux_option "@cgmtop_format" "tmux")
	args=$(get_tmux_option "@cgmtop_args" "")
	interval=$(get_tmux_option "@cgmtop_interval" "")

	# A path with spaces is quoted; others are left alone so ~ still expands.
	case "$bin" in
	*[[:space:]]*) bin="'$bin'" ;;
	esac
	command="#($bin status --format $format${args:+ $args})"
	all_args=$(without_account "$args")
	all_command="#($bin status --all --format $format${all_args:+ $all_args})"
	for option in status-left status-right; do
		value=$(tmux show-option -gqv "$option")
		case "$value" in
		*'#{cgmtop}'* | *'#{cgmtop_all}'*)
			value="${value//\#\{cgmtop\}/$command}"
			value="${value//\#\{cgmtop_all\}/$all_command}"
			tmux set-option -gq "$option" "$value"
			;;
		esac
	done
	if [ -n "$interval" ]; then
		tmux set-option -gq status-interval "$interval"
	fi
}

main
