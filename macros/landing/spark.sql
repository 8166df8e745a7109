{#- Spark implementations of the landing-zone readers (macros/landing/landing_zone.sql, incremental.sql).

    Spark SQL reads files directly with `<format>.`<path glob>``; the reader options of DuckDB's read_csv are
    not available in that syntax, so delimited files are read as text lines and parsed with from_csv (every
    column text, never inferred). Paths come back as URIs (file:/..., s3a://..., abfss://...): source_file is
    the part from the glob's fixed prefix on, as on DuckDB. Known gaps, documented in the README:
    - a quoted CSV field spanning several lines is not supported (files are split into lines first);
    - row_order of a CSV file increases with the row's position (monotonically_increasing_id over the scan of
      the file) but is not the row number;
    - a Parquet column missing from every file fails the build naming the column; a column missing from only
      some files is read as null there (schema merging) and the records land in quarantine (missing_field);
    - a JSON number read into a text field comes out in Spark's spelling (12.50 -> 12.5). -#}

{#- The files of a glob, as Spark lists them (binaryFile source, the content column is never read):
    a list of dicts {path, source_file, version ('<size>:<mtime in ms>')}, sorted by path.
    A glob matching nothing fails the query with Spark's PATH_NOT_FOUND naming the path. -#}
{% macro spark_landing_file_listing(relative_glob) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set pattern = landing_root() ~ '/' ~ relative_glob -%}
    {%- set result = run_query(
        "select path, " ~ landing_source_file(relative_glob, 'path') ~ " as source_file,"
        ~ " concat(cast(length as string), ':', cast(unix_millis(modificationTime) as string)) as version"
        ~ " from binaryFile.`" ~ pattern ~ "` order by path") -%}
    {%- set files = [] -%}
    {%- for row in result.rows -%}
        {%- do files.append({'path': row[0], 'source_file': row[1], 'version': row[2]}) -%}
    {%- endfor -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Landing zone: missing source folder or file: nothing matches '" ~ pattern
            ~ "' (expected folder '" ~ landing_root() ~ "/" ~ landing_fixed_prefix(relative_glob)
            ~ "', see LANDING_ZONE.md; PROMO_RAW_DIR='" ~ landing_root() ~ "')") }}
    {%- endif -%}
    {{ return(files) }}
{%- endmacro %}

{% macro spark__landing_files(relative_glob) -%}
    {%- set paths = [] -%}
    {%- for file in spark_landing_file_listing(relative_glob) -%}
        {%- do paths.append(file['path']) -%}
    {%- endfor -%}
    {{ return(paths) }}
{%- endmacro %}

{% macro spark__landing_file_versions(relative_glob) -%}
    {{ return(spark_landing_file_listing(relative_glob)) }}
{%- endmacro %}

{#- The glob read by a Spark reader, quoted for `<format>.`...``. -#}
{% macro spark_landing_path(relative_glob) -%}
    `{{ landing_root() ~ '/' ~ relative_glob }}`
{%- endmacro %}

{#- SQL condition on a file path column keeping the rows of `files` (none = every file; [] = no file). -#}
{% macro spark_landing_file_filter(path_column, files=none) -%}
    {%- if files is none -%}
        true
    {%- elif files | length == 0 -%}
        false
    {%- else -%}
        {%- set literals = [] -%}
        {%- for file in files -%}
            {%- do literals.append(landing_literal(file['path'] if file is mapping else file)) -%}
        {%- endfor -%}
        {{ path_column }} in ({{ literals | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- Spark's CSV parser turns an empty unquoted field into null: a sentinel field is appended to every line, so
    that a field before it is '' when empty (as on DuckDB) and a field after it (a short row) is null. -#}
{% macro spark__read_landing_csv(relative_glob, columns, delimiter=',', ordered=false, files=none, keep_short_rows=false) -%}
    {%- set sentinel = '__promo_end_of_row__' -%}
    {%- if execute -%}
        {%- do landing_files(relative_glob) -%}
    {%- endif -%}
    {%- set first = columns[0] -%}
    {%- set schema_fields = [] -%}
    {%- for column in columns -%}
        {%- do schema_fields.append('`' ~ column ~ '` string') -%}
    {%- endfor -%}
    {%- do schema_fields.append('`__promo_end` string') -%}
    (
        select
            source_file,
            row_order,
            {%- for column in columns %}
            `{{ column }}`,
            {%- endfor %}
            -- fewer fields than the header: the missing ones are null (an empty field is '')
            `{{ columns[-1] }}` is null as is_short_row
        from (
            select
                {{ landing_source_file(relative_glob, 'file_path') }} as source_file,
                file_path,
                row_order,
                {%- for column in columns %}
                case
                    when {% for earlier in columns[:loop.index] %}parsed_row.`{{ earlier }}` = '{{ sentinel }}'{{ ' or ' if not loop.last }}{% endfor %}
                        then null
                    else coalesce(parsed_row.`{{ column }}`, '')
                end as `{{ column }}`{{ ',' if not loop.last }}
                {%- endfor %}
            from (
                select
                    file_path,
                    row_order,
                    from_csv(
                        concat(line_text, {{ landing_literal(delimiter) }}, '{{ sentinel }}'),
                        '{{ schema_fields | join(", ") }}',
                        map('sep', {{ landing_literal(delimiter) }}, 'quote', '"', 'escape', '"', 'mode', 'PERMISSIVE')
                    ) as parsed_row
                from (
                    select
                        _metadata.file_path as file_path,
                        {% if ordered -%}
                        monotonically_increasing_id() + 1 as row_order,
                        {%- else -%}
                        cast(null as bigint) as row_order,
                        {%- endif %}
                        -- a UTF-8 byte order mark before the header is not part of the first column name
                        regexp_replace(value, '^\uFEFF', '') as line_text
                    from text.{{ spark_landing_path(relative_glob) }}
                ) as lines
                where {{ spark_landing_file_filter('file_path', files) }} and line_text <> ''
            ) as parsed_lines
        ) as raw_rows
        where
            case
                -- a header row: check it, then drop it
                when `{{ first }}` in ({% for column in columns %}'{{ column }}'{{ ', ' if not loop.last }}{% endfor %})
                    then case
                        {%- for column in columns %}
                        when not (`{{ column }}` <=> '{{ column }}')
                            then {{ raise_in_sql("concat('Landing zone: file ', file_path, ' has no column " ~ column
                                ~ " (expected columns in this order: " ~ columns | join(', ') ~ ")')") }} is null
                        {%- endfor %}
                        else false
                    end
                -- a short data row (e.g. a transfer cut mid-row): kept and flagged is_short_row when the source
                -- quarantines such records (missing_field), else the file fails naming itself
                {%- if not keep_short_rows %}
                when `{{ columns[-1] }}` is null
                    then {{ raise_in_sql("concat('Landing zone: file ', file_path, ' has a row with fewer columns than "
                        ~ columns | join(', ') ~ "')") }} is null
                {%- endif %}
                else true
            end
    )
{%- endmacro %}

{% macro spark__read_landing_lines(relative_glob, files=none) -%}
    {%- do landing_files(relative_glob) -%}
    (
        select
            source_file,
            line_number,
            line_text
        from (
            select
                {{ landing_source_file(relative_glob, 'file_path') }} as source_file,
                row_number() over (partition by file_path order by line_order) as line_number,
                -- a UTF-8 byte order mark (U+FEFF) before the first line is not part of the JSON
                regexp_replace(value, '^\uFEFF', '') as line_text
            from (
                select
                    _metadata.file_path as file_path,
                    monotonically_increasing_id() as line_order,
                    value
                from text.{{ spark_landing_path(relative_glob) }}
            ) as raw_lines
            where {{ spark_landing_file_filter('file_path', files) }}
        ) as numbered_lines
        where trim(line_text) <> ''
    )
{%- endmacro %}

{#- Parquet on Spark: the files are read together with schema merging (profile: spark.sql.parquet.mergeSchema);
    ts_utc stored with or without a time zone reads as a UTC instant (spark.sql.parquet.inferTimestampNTZ.enabled
    = false, session time zone UTC). The merged schema is checked once: a required column absent from every file,
    or a floating-point column where an integer is expected, fails the build naming the column. -#}
{% macro spark__read_landing_parquet(relative_glob, columns, utc_timestamp_columns=[], files=none) -%}
    {%- if execute -%}
        {%- do landing_files(relative_glob) -%}
        {%- set schema = run_query("describe query select * from parquet." ~ spark_landing_path(relative_glob)) -%}
        {%- set physical_types = {} -%}
        {%- for row in schema.rows -%}
            {%- do physical_types.update({row[0]: (row[1] or '') | upper}) -%}
        {%- endfor -%}
        {%- for column in columns if column not in physical_types -%}
            {{ exceptions.raise_compiler_error(
                "Landing zone: files '" ~ landing_root() ~ '/' ~ relative_glob ~ "' have no column '" ~ column
                ~ "' (required: " ~ columns.keys() | join(', ') ~ ")") }}
        {%- endfor -%}
        {%- for column, data_type in columns.items()
            if data_type | lower in ['integer', 'bigint', 'int', 'smallint']
            and physical_types[column] in ['FLOAT', 'DOUBLE'] -%}
            {{ exceptions.raise_compiler_error(
                "Landing zone: files '" ~ landing_root() ~ '/' ~ relative_glob ~ "' column '" ~ column ~ "' is "
                ~ physical_types[column] ~ ", expected an integer (" ~ data_type ~ ")") }}
        {%- endfor -%}
    {%- endif -%}
    (
        select
            {{ landing_source_file(relative_glob, 'file_path') }} as source_file,
            row_order,
            {%- for column, data_type in columns.items() %}
            {%- if column in utc_timestamp_columns %}
            cast(`{{ column }}` as timestamp) as `{{ column }}`
            {%- else %}
            cast(`{{ column }}` as {{ data_type }}) as `{{ column }}`
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                *,
                _metadata.file_path as file_path,
                _metadata.row_index + 1 as row_order
            from parquet.{{ spark_landing_path(relative_glob) }}
        ) as raw_rows
        where {{ spark_landing_file_filter('file_path', files) }}
    )
{%- endmacro %}
