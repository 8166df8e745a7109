{#- Incremental loads of the landing zone (LANDING_ZONE.md: "a build must pick up new daily files without
    reprocessing the whole history"; "the newest delivery of a file name replaces the older one").

    Design (docs in models/intermediate/core/_core__models.yml):
    - every row of a large staging table carries its raw file (source_file) and the version of that file it
      was read from (source_file_version = size and modification time of the file);
    - an incremental run of a staging table reads only the files whose (name, version) it does not hold yet,
      after deleting the rows of files whose version changed or which left the landing zone (pre-hook);
    - int_core__changed_transactions lists the transactions touched by these changes (plus erasure flips and,
      when a reference file changed, everything); int_core__sales_records deletes and recomputes exactly
      those transactions (fct_sales_lines is a view of its loaded records).
    On DuckDB the models are `incremental` (strategy append + a delete pre-hook, i.e. delete+insert keyed by
    file or by transaction); any other adapter rebuilds them as tables (dbt-spark without Delta can neither
    delete nor merge), so `--full-refresh` and a plain `table` build give the same result. -#}

{#- Materialisation of the large incremental models on this adapter. -#}
{% macro core_incremental_materialization() -%}
    {{ return(adapter.dispatch('core_incremental_materialization', 'promo_factory')()) }}
{%- endmacro %}

{% macro duckdb__core_incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro default__core_incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- Materialisation of fct_sales_lines, the loaded records of int_core__sales_records. On DuckDB a view: the
    sales records are already an incremental table, and a copy of every line cost 6 s of a 10M full build. Any
    other adapter rebuilds everything anyway; there it stays a table, whose files any engine can read (the
    Spark truth tests read them). -#}
{% macro fct_sales_lines_materialization() -%}
    {{ return(adapter.dispatch('fct_sales_lines_materialization', 'promo_factory')()) }}
{%- endmacro %}

{% macro duckdb__fct_sales_lines_materialization() -%}
    {{ return('view') }}
{%- endmacro %}

{% macro default__fct_sales_lines_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- Incremental strategy paired with core_incremental_materialization (rows are deleted by a pre-hook). -#}
{% macro core_incremental_strategy() -%}
    {{ return(adapter.dispatch('core_incremental_strategy', 'promo_factory')()) }}
{%- endmacro %}

{% macro default__core_incremental_strategy() -%}
    {{ return('append') }}
{%- endmacro %}

{#- True when this model runs as an incremental update of an existing table (not a build from scratch). -#}
{% macro core_is_incremental_run() -%}
    {{ return(execute and is_incremental()) }}
{%- endmacro %}

{#- Pre-hook of an incremental model (strategy append + this delete): in an incremental run, delete the rows of
    `this` that match the condition the call block renders; a no-op statement when the model is built from scratch
    (the block is then not rendered, so the queries it runs are not either). Usage:
    {% call incremental_delete() %} <condition> {% endcall %} -#}
{% macro incremental_delete() -%}
    {%- if core_is_incremental_run() -%}
        delete from {{ this }}
        where {{ caller() }}
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- The files of a glob under the landing root with their version: a list of dicts
    {path (as DuckDB reads it), source_file (relative to the landing root), version ('<size>:<mtime in ms>')},
    sorted by path. Fails the build (landing_files) when nothing matches. -#}
{% macro landing_file_versions(relative_glob) -%}
    {{ return(adapter.dispatch('landing_file_versions', 'promo_factory')(relative_glob)) }}
{%- endmacro %}

{% macro duckdb__landing_file_versions(relative_glob) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- do landing_files(relative_glob) -%}
    {%- set pattern = landing_root() ~ '/' ~ relative_glob -%}
    {%- set result = run_query(
        "select filename, " ~ landing_source_file(relative_glob) ~ " as source_file,"
        ~ " cast(size as varchar) || ':' || cast(epoch_ms(last_modified) as varchar) as version"
        ~ " from read_blob(" ~ landing_literal(pattern) ~ ") order by filename") -%}
    {%- set files = [] -%}
    {%- for row in result.rows -%}
        {%- do files.append({'path': row[0], 'source_file': row[1], 'version': row[2]}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{% macro default__landing_file_versions(relative_glob) -%}
    {%- set files = [] -%}
    {%- for path in landing_files(relative_glob) -%}
        {%- do files.append({'path': path, 'source_file': path[landing_root() | length + 1:], 'version': 'unversioned'}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{#- The files of `file_versions` to read in this run: all of them when the model is built from scratch; in an
    incremental run, those whose (source_file, version) the model `this` does not hold yet (its file-versions
    list: macros/landing/file_versions.sql). -#}
{% macro landing_pending_files(file_versions) -%}
    {%- if not core_is_incremental_run() -%}{{ return(file_versions) }}{%- endif -%}
    {%- set held = query_version_keys(held_file_versions_query(this)) -%}
    {%- set pending = [] -%}
    {%- for file in file_versions if landing_version_key(file['source_file'], file['version']) not in held -%}
        {%- do pending.append(file) -%}
    {%- endfor -%}
    {{ return(pending) }}
{%- endmacro %}

{#- File versions as dicts keyed by '<source_file>|<version>' (landing_version_key), valued by the file name: those of
    a query of (source_file, source_file_version) rows, or of a list of files of landing_file_versions. -#}
{% macro landing_version_key(source_file, version) -%}
    {{ return(source_file ~ '|' ~ version) }}
{%- endmacro %}

{% macro query_version_keys(query) -%}
    {%- set keys = {} -%}
    {%- for row in run_query(query).rows -%}
        {%- do keys.update({landing_version_key(row[0], row[1]): row[0]}) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro landing_version_keys(file_versions) -%}
    {%- set keys = {} -%}
    {%- for file in file_versions -%}
        {%- do keys.update({landing_version_key(file['source_file'], file['version']): file['source_file']}) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{#- The names (each once) of the file versions of `versions` that `others` does not hold (two such dicts). -#}
{% macro file_names_missing_from(versions, others) -%}
    {%- set names = [] -%}
    {%- for key, source_file in versions.items() if key not in others and source_file not in names -%}
        {%- do names.append(source_file) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- A subquery (source_file, source_file_version, file_date) of the given files, plus one row of nulls (callers
    keep `where source_file is not null`; the null row keeps the VALUES list valid when there is no file).
    file_date (landing_file_date_literal) is a constant of each file's row, for the plausibility rule of
    staging: computed in SQL, DuckDB evaluated it after the join with the raw rows, once per record. -#}
{% macro landing_versions_values(file_versions) -%}
    (
        select
            source_file,
            source_file_version,
            file_date
        from (
            values
            {%- for file in file_versions %}
            (
                {{ landing_literal(file['source_file']) }},
                {{ landing_literal(file['version']) }},
                {{ landing_file_date_literal(file['source_file']) }}
            ),
            {%- endfor %}
            (cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}), cast(null as date))
        ) as file_versions (source_file, source_file_version, file_date)
    )
{%- endmacro %}

{#- Pre-hook of an incremental staging table: delete the rows of raw files that were re-delivered (their
    version changed) or that left the landing zone. No-op when the table is built from scratch, and when every
    held version is still listed (the daily case: the rows are then not read at all). -#}
{% macro delete_stale_landing_rows(relative_glob) -%}
    {%- set stale_files = [] -%}
    {%- if core_is_incremental_run() -%}
        {%- set current = landing_file_versions(relative_glob) -%}
        {%- set stale_files = file_names_missing_from(
            query_version_keys(held_file_versions_query(this)), landing_version_keys(current)) -%}
    {%- endif -%}
    {%- if stale_files | length == 0 -%}
        select 1 as nothing_to_delete
    {%- else -%}
        {%- call incremental_delete() -%}
            {{ source_files_condition(stale_files) }}
            and (source_file, source_file_version) not in (
                select source_file, source_file_version
                from {{ landing_versions_values(current) }} as current_files
                where source_file is not null
            )
        {%- endcall -%}
    {%- endif -%}
{%- endmacro %}

{#- The rows of the transactions listed in int_core__changed_transactions (a relation or a CTE name), as one
    parenthesised condition: by (retailer, transaction_id), and with_files, the rows without a transaction id by
    their file. What an incremental run keyed by transaction deletes, re-validates and checks again is this one
    condition. -#}
{% macro changed_transactions_condition(changed_relation, with_files=true) -%}
    (
        (retailer, transaction_id) in (
            select retailer, transaction_id
            from {{ changed_relation }}
            where transaction_id is not null
        )
        {%- if with_files %}
        or (
            transaction_id is null
            and (retailer, source_file) in (
                select retailer, source_file
                from {{ changed_relation }}
                where transaction_id is null
            )
        )
        {%- endif %}
    )
{%- endmacro %}

{#- Filter of a staging table read by int_core__sales_records: in an incremental run, the rows of the raw files
    that hold records of the changed transactions of `retailer` (int_core__changed_transactions lists them: a staged
    row of a changed transaction lies in a new file, whose rows are all changed records, or in an unchanged one,
    whose previous record of it is listed with its file), read by their range of names
    (macros/landing/file_versions.sql). No filter above max_listed_literals() files (a reference change
    re-validates everything). -#}
{% macro changed_files_filter(changed_relation, retailer) -%}
    {%- if not core_is_incremental_run() -%}{{ return('') }}{%- endif -%}
    {%- set files = run_query(
        "select distinct source_file from " ~ changed_relation ~ " where retailer = '" ~ retailer
        ~ "' and source_file is not null order by source_file").columns[0].values() -%}
    {%- if files | length == 0 -%}
        where 1 = 0
    {%- elif files | length <= max_listed_literals() -%}
        where {{ source_files_condition(files | list) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of an incremental model keyed by transaction: delete the rows of the transactions listed in
    int_core__changed_transactions (and, for records without a transaction id, of the listed files). -#}
{% macro delete_changed_transactions(changed_relation) -%}
    {%- call incremental_delete() -%}
        {%- set has_files = 'source_file' in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) %}
        {{ changed_transactions_condition(changed_relation, with_files=has_files) }}
    {%- endcall -%}
{%- endmacro %}

{#- Pre-hook of an incremental model keyed by shopper: delete the shoppers of the changed transactions. -#}
{% macro delete_changed_shoppers(changed_relation) -%}
    {%- call incremental_delete() -%}
        shopper_key in (
            select shopper_key
            from {{ changed_relation }}
            where shopper_key is not null
        )
    {%- endcall -%}
{%- endmacro %}

{#- The previous state of a model of the same schema, read without ref() (it is downstream of the caller):
    the relation, or none when it does not exist yet, when the run is a full refresh, or on an adapter that rebuilds
    the core tables whole (nothing there is computed from a previous state). -#}
{% macro previous_state_relation(identifier) -%}
    {%- if not execute or flags.FULL_REFRESH or core_incremental_materialization() != 'incremental' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=identifier)) }}
{%- endmacro %}
