{#- Reading the landing zone (LANDING_ZONE.md). Every raw file is read with explicit types: CSV columns as
    text, JSONL lines as text, Parquet columns cast to the contract's types. A missing folder/file or a
    missing required column fails the build with a message naming the path and the column; a missing or
    header-only daily file is not an error. DuckDB implementations sit behind adapter.dispatch. -#}

{#- The landing zone root (dbt var raw_dir, from PROMO_RAW_DIR), without a trailing slash. -#}
{% macro landing_root() -%}
    {{ return((var('raw_dir', 'data/raw') | string).rstrip('/')) }}
{%- endmacro %}

{#- The part of a relative glob before its first wildcard ("alpha/receipts/" for "alpha/receipts/*.csv"). -#}
{% macro landing_fixed_prefix(relative_glob) -%}
    {%- set head = relative_glob.split('*')[0].split('?')[0].split('[')[0] -%}
    {{ return(head[:head.rfind('/') + 1]) }}
{%- endmacro %}

{#- SQL text literal with quotes doubled. -#}
{% macro landing_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- The longest list of literals a filter lists (files, shoppers' keys) before it reads every row instead: a
    change that large (a reference file, a mass erasure) re-validates most of history anyway. -#}
{% macro max_listed_literals() -%}
    {{ return(1000) }}
{%- endmacro %}

{#- SQL text literals of a list of texts, comma-separated (for `in (...)` and list values). -#}
{% macro landing_literal_list(texts) -%}
    {%- for text in texts %}{{ landing_literal(text) }}{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- The files matching a glob under the landing root (sorted); fails the build when there is none. -#}
{% macro landing_files(relative_glob) -%}
    {{ return(adapter.dispatch('landing_files', 'promo_factory')(relative_glob)) }}
{%- endmacro %}

{% macro duckdb__landing_files(relative_glob) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set pattern = landing_root() ~ '/' ~ relative_glob -%}
    {%- set result = run_query('select file from glob(' ~ landing_literal(pattern) ~ ') order by file') -%}
    {%- set files = result.columns[0].values() | list -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Landing zone: missing source folder or file: nothing matches '" ~ pattern
            ~ "' (expected folder '" ~ landing_root() ~ "/" ~ landing_fixed_prefix(relative_glob)
            ~ "', see LANDING_ZONE.md; PROMO_RAW_DIR='" ~ landing_root() ~ "')") }}
    {%- endif -%}
    {{ return(files) }}
{%- endmacro %}

{#- What a DuckDB reader reads: the glob under the landing root when `files` is none, else the list of the
    given files (dicts of landing_file_versions, or paths); an empty list reads the first matching file and
    `landing_read_filter(files)` then keeps no row. -#}
{% macro landing_read_target(relative_glob, files=none) -%}
    {%- if files is none -%}
        {{ return(landing_literal(landing_root() ~ '/' ~ relative_glob)) }}
    {%- endif -%}
    {%- set paths = [] -%}
    {%- for file in files -%}
        {%- do paths.append(file['path'] if file is mapping else file) -%}
    {%- endfor -%}
    {%- if paths | length == 0 and execute -%}
        {%- do paths.append(landing_files(relative_glob)[0]) -%}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for path in paths -%}
        {%- do literals.append(landing_literal(path)) -%}
    {%- endfor -%}
    {{ return('[' ~ literals | join(', ') ~ ']') }}
{%- endmacro %}

{#- SQL condition keeping the rows read from landing_read_target: false for an empty file list. -#}
{% macro landing_read_filter(files=none) -%}
    {{ 'false' if files is not none and files | length == 0 else 'true' }}
{%- endmacro %}

{#- source_file: the path of a raw file relative to the landing root, from DuckDB's filename column. -#}
{% macro landing_source_file(relative_glob, filename_column='filename') -%}
    regexp_extract({{ filename_column }}, '(^|/)({{ landing_fixed_prefix(relative_glob) }}.*)$', 2)
{%- endmacro %}

{#- A DuckDB reader's source_file column for the rows it read from `files`. Given the file list of
    landing_file_versions (dicts with path and source_file), each row looks its file up by path: one hash join
    against a few hundred paths, where the regular expression of landing_source_file costs ~0.4 us on every row
    (2 s per 5M lines). Returns {select, join}: the column expression and the join clause (empty without a
    list; `rows` is the alias of the reader's subquery). -#}
{% macro landing_source_file_lookup(relative_glob, files, rows='raw_rows') -%}
    {%- set listed = files is not none and files | length > 0 and files | selectattr('path', 'defined') | list | length == files | length -%}
    {%- if not listed -%}
        {{ return({'select': landing_source_file(relative_glob, rows ~ '.filename'), 'join': ''}) }}
    {%- endif -%}
    {%- set values = [] -%}
    {%- for file in files -%}
        {%- do values.append('(' ~ landing_literal(file['path']) ~ ', ' ~ landing_literal(file['source_file']) ~ ')') -%}
    {%- endfor -%}
    {{ return({
        'select': 'landing_paths.landing_source_file',
        'join': 'inner join (values ' ~ values | join(', ') ~ ') as landing_paths (landing_path, landing_source_file)'
            ~ ' on ' ~ rows ~ '.filename = landing_paths.landing_path',
    }) }}
{%- endmacro %}

{#- A subquery reading delimited text files with every column as text, the contract's columns in the
    contract's order (no type or dialect inference: the files are parsed with the declared columns, which
    is also an order of magnitude faster than sniffing every daily file).
    Output: source_file, row_order (when ordered=true: increases with the row's position in its file, the
    files being read one after the other; else null), the columns (text as delivered, '' when empty) and
    is_short_row (the row has fewer fields than the header; always false unless keep_short_rows, since
    otherwise such a row fails the query naming its file).
    Each file's header row must hold exactly the contract's columns: a missing, renamed or misplaced column
    fails the query with a message naming the file and the column. A header-only file yields no row. -#}
{% macro read_landing_csv(relative_glob, columns, delimiter=',', ordered=false, files=none, keep_short_rows=false) -%}
    {{ return(adapter.dispatch('read_landing_csv', 'promo_factory')(
        relative_glob, columns, delimiter, ordered, files, keep_short_rows)) }}
{%- endmacro %}

{% macro duckdb__read_landing_csv(relative_glob, columns, delimiter=',', ordered=false, files=none, keep_short_rows=false) -%}
    {%- set pattern = landing_root() ~ '/' ~ relative_glob -%}
    {%- set null_marker = '__promo_null__' -%}
    {%- if execute -%}
        {%- do landing_files(relative_glob) -%}
    {%- endif -%}
    {%- set first = columns[0] -%}
    {%- set source_file = landing_source_file_lookup(relative_glob, files) -%}
    (
        select
            {{ source_file['select'] }} as source_file,
            raw_rows.row_order,
            {%- for column in columns %}
            raw_rows."{{ column }}",
            {%- endfor %}
            -- fewer fields than the header: the missing ones are null (an empty field is '')
            raw_rows."{{ columns[-1] }}" is null as is_short_row
        from (
            select
                *,
                {% if ordered -%}
                row_number() over () as row_order
                {%- else -%}
                cast(null as bigint) as row_order
                {%- endif %}
            from read_csv(
                {{ landing_read_target(relative_glob, files) }},
                delim = {{ landing_literal(delimiter) }},
                quote = '"',
                escape = '"',
                header = false,
                auto_detect = false,
                columns = {
                    {%- for column in columns %}
                    '{{ column }}': 'varchar'{{ ',' if not loop.last }}
                    {%- endfor %}
                },
                null_padding = true,
                nullstr = '{{ null_marker }}',
                filename = true
                {%- if ordered %},
                parallel = false
                {%- endif %}
            )
        ) as raw_rows
        {{ source_file['join'] }}
        where
            {{ landing_read_filter(files) }}
            and case
                -- a header row (its first cell is a column name, also when the first column is missing or
                -- misplaced): check it, then drop it
                when "{{ first }}" in ({% for column in columns %}'{{ column }}'{{ ', ' if not loop.last }}{% endfor %})
                    then case
                        {%- for column in columns %}
                        when "{{ column }}" is distinct from '{{ column }}'
                            then {{ raise_in_sql("'Landing zone: file ' || filename || ' has no column " ~ column
                                ~ " (expected columns in this order: " ~ columns | join(', ') ~ ")'") }} is null
                        {%- endfor %}
                        else false
                    end
                -- a short data row (e.g. a transfer cut mid-row): kept and flagged is_short_row when the source
                -- quarantines such records (missing_field), else the file fails naming itself
                {%- if not keep_short_rows %}
                when "{{ columns[-1] }}" is null
                    then {{ raise_in_sql("'Landing zone: file ' || filename || ' has a row with fewer columns than "
                        ~ columns | join(', ') ~ "'") }} is null
                {%- endif %}
                else true
            end
    )
{%- endmacro %}

{% macro default__read_landing_csv(relative_glob, columns, delimiter=',', ordered=false, files=none, keep_short_rows=false) -%}
    {{ exceptions.raise_compiler_error("read_landing_csv: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{#- A subquery with one row per non-blank line of text files (JSON Lines):
    source_file, line_number (1-based, blank lines counted), line_text (CR stripped). -#}
{% macro read_landing_lines(relative_glob, files=none) -%}
    {{ return(adapter.dispatch('read_landing_lines', 'promo_factory')(relative_glob, files)) }}
{%- endmacro %}

{% macro duckdb__read_landing_lines(relative_glob, files=none) -%}
    {%- do landing_files(relative_glob) -%}
    (
        select
            source_file,
            line_number,
            line_text
        from (
            select
                {{ landing_source_file(relative_glob) }} as source_file,
                unnest(string_split(content, chr(10))) as raw_line,
                unnest(range(1, len(string_split(content, chr(10))) + 1)) as line_number,
                -- a UTF-8 byte order mark (U+FEFF) before the first line is not part of the JSON. Lines are
                -- whole orders (kilobytes): trimming copies them, so only lines with something to trim are.
                case
                    when ends_with(raw_line, chr(13)) or starts_with(raw_line, chr(65279))
                        then ltrim(rtrim(raw_line, chr(13)), chr(65279))
                    else raw_line
                end as line_text
            from read_text({{ landing_read_target(relative_glob, files) }})
            where {{ landing_read_filter(files) }}
        )
        -- not blank: a line whose first 64 characters are not all blank is not (the full trim runs on the rest)
        where trim(left(line_text, 64)) <> '' or trim(line_text) <> ''
    )
{%- endmacro %}

{% macro default__read_landing_lines(relative_glob, files=none) -%}
    {{ exceptions.raise_compiler_error("read_landing_lines: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}

{#- A subquery reading Parquet files, each column cast to its contract type.
    `columns` maps name -> SQL type; `utc_timestamp_columns` lists timestamp columns that may be stored
    with or without a time zone (both mean UTC): they come out as UTC timestamps without zone.
    Output: source_file, row_order (1-based row number in its file), the columns. -#}
{% macro read_landing_parquet(relative_glob, columns, utc_timestamp_columns=[], files=none) -%}
    {{ return(adapter.dispatch('read_landing_parquet', 'promo_factory')(relative_glob, columns, utc_timestamp_columns, files)) }}
{%- endmacro %}

{% macro duckdb__read_landing_parquet(relative_glob, columns, utc_timestamp_columns=[], files=none) -%}
    {%- set groups = {'aware': [], 'naive': []} -%}
    {%- set read_target = landing_read_target(relative_glob, files) -%}
    {%- if execute -%}
        {%- do landing_files(relative_glob) -%}
        {%- set schema = run_query(
            "select file_name, name, coalesce(logical_type, '') like '%isAdjustedToUTC=1%'"
            ~ " or coalesce(logical_type, '') like '%isAdjustedToUTC=true%' as is_aware, type"
            ~ " from parquet_schema(" ~ read_target ~ ") order by file_name") -%}
        {%- set by_file = {} -%}
        {%- set physical_types = {} -%}
        {%- for row in schema.rows -%}
            {%- do by_file.setdefault(row[0], {}).update({row[1]: row[2]}) -%}
            {%- do physical_types.update({(row[0], row[1]): (row[3] or '') | upper}) -%}
        {%- endfor -%}
        {%- for file_name, file_columns in by_file.items() -%}
            {%- for column in columns if column not in file_columns -%}
                {{ exceptions.raise_compiler_error(
                    "Landing zone: file '" ~ file_name ~ "' has no column '" ~ column ~ "' (required: "
                    ~ columns.keys() | join(', ') ~ ")") }}
            {%- endfor -%}
            {#- a floating-point value in an integer column (e.g. euros instead of cents) cannot be cast
                without guessing: fail rather than truncate -#}
            {%- for column, data_type in columns.items()
                if data_type | lower in ['integer', 'bigint', 'int', 'smallint']
                and physical_types[(file_name, column)] in ['FLOAT', 'DOUBLE'] -%}
                {{ exceptions.raise_compiler_error(
                    "Landing zone: file '" ~ file_name ~ "' column '" ~ column ~ "' is "
                    ~ physical_types[(file_name, column)] ~ ", expected an integer (" ~ data_type ~ ")") }}
            {%- endfor -%}
            {%- set is_aware = utc_timestamp_columns | length > 0 and file_columns[utc_timestamp_columns[0]] -%}
            {%- do groups['aware' if is_aware else 'naive'].append(file_name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for kind in ['naive', 'aware'] if groups[kind] -%}
        {%- do parts.append((kind, groups[kind])) -%}
    {%- endfor -%}
    {%- if parts | length == 0 -%}{%- do parts.append(('naive', [])) -%}{%- endif -%}
    {%- set source_file = landing_source_file_lookup(relative_glob, files, 'parquet_rows') -%}
    (
        {%- for kind, group_files in parts %}
        select
            {{ source_file['select'] }} as source_file,
            file_row_number + 1 as row_order,
            {%- for column, data_type in columns.items() %}
            {%- if column in utc_timestamp_columns and kind == 'aware' %}
            {{ tz_aware_to_utc('"' ~ column ~ '"') }} as "{{ column }}"
            {%- elif column in utc_timestamp_columns %}
            try_cast("{{ column }}" as timestamp) as "{{ column }}"
            {%- else %}
            try_cast("{{ column }}" as {{ data_type }}) as "{{ column }}"
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from read_parquet(
            {% if parts | length == 1 -%}
            {{ read_target }},
            {%- else -%}
            [{{ landing_literal_list(group_files) }}],
            {%- endif %}
            union_by_name = true,
            filename = true,
            file_row_number = true,
            hive_partitioning = false
        ) as parquet_rows
        {{ source_file['join'] }}
        where {{ landing_read_filter(files) }}
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro default__read_landing_parquet(relative_glob, columns, utc_timestamp_columns=[], files=none) -%}
    {{ exceptions.raise_compiler_error("read_landing_parquet: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}
