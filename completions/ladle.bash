# bash completion for ladle(1). Installed as
# share/bash-completion/completions/ladle; tests/install checks that it
# names every option of `ladle help sample|split|stats|verify|merge|shuffle|index`.

_ladle()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="sample stats split verify merge shuffle index help"
    local engine="--threads --chunk-size --max-record --long --drop-cache --io --index --verbose
        --progress --no-progress --help"
    local fields="--format --delimiter --missing --malformed --header"
    local sample="--rate -n --head --every --start --strata --min-per-stratum --per-stratum
        --fractions --cluster --clusters --within-rate --within-size --weight --snowball --seeds
        --link --waves --max-nodes --emit-weight --emit-wave --shuffle --seed --state --part --output
        --link --waves --max-nodes --emit-weight --emit-wave --shuffle --seed --output
        --source-name --source-stem --source-prefix --replace --bootstrap --memory --tmpdir --license
        $fields $engine -p -k -w -H -d -t -v -o -h"
    local split="--output --ratios --by --time-field --cutoffs --time-format --tz --stratify --balance
        --balance-mode --balance-splits --force --allow-empty --append --shard-size --shard-records --level $sample"
    local stats="--field --top --bars --no-bars --json --tsv --width --verbose --state --part --threads
        --chunk-size --max-record --long --io --progress --no-progress --help $fields -f -k -H -d -t -v -h"
    local verify="--quiet --verbose --repair --help -q -v -h"
    local shuffle="--memory --tmpdir --seed --shuffle --source-name --source-stem --source-prefix
        $fields $engine -H -d -t -v -h"
    local index="--span --verbose --help -v -h"
    local merge="--state --shuffle --format --delimiter --threads --verbose --help --top --json --tsv --width --bars --no-bars --output --force -d -t -v -h -k -o"

    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}

    case $prev in
    --format) COMPREPLY=($(compgen -W "auto lines tsv csv json" -- "$cur")); return ;;
    --missing) COMPREPLY=($(compgen -W "skip error keep" -- "$cur")); return ;;
    --malformed) COMPREPLY=($(compgen -W "error skip" -- "$cur")); return ;;
    --io) COMPREPLY=($(compgen -W "auto uring pread" -- "$cur")); return ;;
    --source-stem) COMPREPLY=($(compgen -W "name path" -- "$cur")); return ;;
    --balance-mode) COMPREPLY=($(compgen -W "under over cap: ratio:" -- "$cur")); return ;;
    --seed) COMPREPLY=($(compgen -W "random" -- "$cur")); return ;;
    --tz)
        local zd=${TZDIR:-/usr/share/zoneinfo}
        COMPREPLY=($(compgen -W "UTC" -- "$cur") $(cd "$zd" 2>/dev/null && compgen -f -- "$cur"))
        return ;;
    --seeds | --state) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --tmpdir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    -o | --output) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --rate | -p | -w | -n | --head | --every | --start | --min-per-stratum | --per-stratum | --fractions | \
        --cluster | --clusters | --within-rate | --within-size | --weight | --strata | --link | \
        --waves | --max-nodes | --ratios | --by | --time-field | --cutoffs | --time-format | --stratify | \
        --balance | --balance-splits | --shard-size | --shard-records | --level | -d | \
        --delimiter | -t | --threads | --chunk-size | --max-record | -f | --field | -k | --top | \
        --source-name | --source-prefix | --memory | --license | --span)
        return ;;
    esac

    local opts
    case $cmd in
    sample) opts=$sample ;;
    split) opts=$split ;;
    stats) opts=$stats ;;
    verify) opts=$verify ;;
    merge) opts=$merge ;;
    shuffle) opts=$shuffle ;;
    index) opts=$index ;;
    help)
        ((cword == 2)) && COMPREPLY=($(compgen -W "sample stats split verify merge shuffle index" -- "$cur"))
        return
        ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ $cmd == verify || ($cmd == merge && " ${words[*]} " == *" -o "*) ]]; then
        COMPREPLY=($(compgen -d -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _ladle ladle
