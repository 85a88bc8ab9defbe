#!/usr/bin/env bash
# cgmtop tmux plugin (TPM-compatible): replaces #{cgmtop} in status-left and
# status-right with `cgmtop status --format tmux`, which prints the newest
# glucose reading with tmux's own #[fg=…] styles and starts a background
# sync when the cache is behind.
#
#   set -g @plugin 'cgmtop/cgmtop'
#   set -g status-right '#{cgmtop} | %H:%M'
#
# Options (all optional):
#   @cgmtop_bin       the cgmtop executable (default: cgmtop, found on PATH)
#   @cgmtop_format    tmux (default) or plain
#   @cgmtop_args      extra flags, e.g. '--account work --units mmol/L --ascii'
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

main() {
	local bin format args interval command option value
	bin=$(get_tmux_option "@cgmtop_bin" "cgmtop")
	format=$(get_tmux_option "@cgmtop_format" "tmux")
	args=$(get_tmux_option "@cgmtop_args" "")
	interval=$(get_tmux_option "@cgmtop_interval" "")

	# A path with spaces is quoted; others are left alone so ~ still expands.
	case "$bin" in
	*[[:space:]]*) bin="'$bin'" ;;
	esac
	command="#($bin status --format $format${args:+ $args})"
	for option in status-left status-right; do
		value=$(tmux show-option -gqv "$option")
		case "$value" in
		*'#{cgmtop}'*)
			tmux set-option -gq "$option" "${value//\#\{cgmtop\}/$command}"
			;;
		esac
	done
	if [ -n "$interval" ]; then
		tmux set-option -gq status-interval "$interval"
	fi
}

main
