{#- The file versions a large incremental table holds, kept in a small table beside it (DuckDB only).

    Each row of a staging table, and of int_core__sales_records, carries its raw file and that file's version
    (macros/landing/incremental.sql). An incremental run must know which (source_file, source_file_version) pairs
    the table holds: the files to read are the others, the rows to delete are those of versions that left the
    landing zone, and int_core__changed_records compares the staged versions with those already validated. Read
    from the rows, that is a full scan of the table per question (100M lines: about 3 s of a daily run that adds
    three files). So each of these tables keeps `<table>__file_versions` (source_file, source_file_version,
    n_rows), written by its post-hooks inside the model's own transaction, so that both change together or not
    at all:
    - staging (record_file_versions): recounted from the table for the files whose version changed in this run
      (a file name listed now whose version it does not hold, or a held version no longer listed), rewritten
      whole when the model is built from scratch;
    - int_core__sales_records (copy_file_versions): every staged row is one sales record (rows read = loaded +
      excluded + quarantined), so after a run the records hold exactly the staged versions with the same counts:
      the union of the staging tables' lists.
    Trusted only when complete: its row counts must add up to the table's row count (count(*), read from
    DuckDB's metadata). When they do not (the list is missing, the table was changed outside dbt, or a file
    came and went during a run), the readers fall back to the table's rows and the post-hook
    (complete_file_versions) recounts the list from the whole table. The incremental test compares every list
    with its table after each stage of history. -#}

{#- True when the table exists in the warehouse now: read from DuckDB's catalog, not from dbt's cache of relations,
    which does not know the tables that post-hooks created during this run. -#}
{% macro warehouse_table_exists(relation) -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_catalog = '" ~ relation.database
        ~ "' and table_schema = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
    {{ return(found.rows[0][0] > 0) }}
{%- endmacro %}

{#- A bookkeeping table kept beside `relation`, in its schema: `<relation>__<name>` (the file-versions list here, the
    applied erasures in macros/core/applied_erasures.sql). -#}
{% macro side_table_relation(relation, name) -%}
    {{ return(api.Relation.create(
        database=relation.database, schema=relation.schema, identifier=relation.identifier ~ '__' ~ name,
        type='table')) }}
{%- endmacro %}

{% macro file_versions_relation(relation) -%}
    {{ return(side_table_relation(relation, 'file_versions')) }}
{%- endmacro %}

{#- True when `relation` has a file-versions table whose row counts add up to the relation's row count (never on
    other adapters: they rebuild these tables whole and keep no list). -#}
{% macro file_versions_are_complete(relation) -%}
    {{ return(adapter.dispatch('file_versions_are_complete', 'promo_factory')(relation)) }}
{%- endmacro %}

{% macro default__file_versions_are_complete(relation) -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__file_versions_are_complete(relation) -%}
    {%- if not execute or relation is none -%}{{ return(false) }}{%- endif -%}
    {%- set versions = file_versions_relation(relation) -%}
    {%- if not warehouse_table_exists(versions) -%}{{ return(false) }}{%- endif -%}
    {%- set counts = run_query(
        "select (select coalesce(sum(n_rows), 0) from " ~ versions ~ ") = (select count(*) from " ~ relation ~ ")") -%}
    {{ return(counts.rows[0][0]) }}
{%- endmacro %}

{#- A query of the (source_file, source_file_version) pairs `relation` holds: its file-versions table when complete,
    else every row. -#}
{% macro held_file_versions_query(relation) -%}
    {%- if file_versions_are_complete(relation) -%}
        select source_file, source_file_version from {{ file_versions_relation(relation) }}
    {%- else -%}
        select distinct source_file, source_file_version from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The rows of the listed raw files (a non-empty list of names). The names bound a range as well as a list: DuckDB
    skips the row groups outside the range by their min/max (rows load file by file), which it does not do for a
    list alone (100M lines, three ALPHA files: 0.53 -> 0.07 s). -#}
{% macro source_files_condition(source_files) -%}
    {%- set ordered = source_files | sort -%}
    source_file >= {{ landing_literal(ordered[0]) }}
    and source_file <= {{ landing_literal(ordered[-1]) }}
    and source_file in ({{ landing_literal_list(ordered) }})
{%- endmacro %}

{#- A query of (source_file, source_file_version, n_rows) of `relation`, counted from its rows; `source_files`: only
    those files (a list of names), else every file. -#}
{% macro count_file_versions_query(relation, source_files=none) -%}
    select
        source_file,
        source_file_version,
        count(*) as n_rows
    from {{ relation }}
    {%- if source_files is not none %}
    where {{ source_files_condition(source_files) }}
    {%- endif %}
    group by source_file, source_file_version
{%- endmacro %}

{#- Post-hook of an incremental staging table (first of two): bring its file-versions table up to date. Built from
    scratch, or without a list yet: the list is counted from the whole table. In an incremental run: the entries
    of the file names whose version changed are counted again from the table, read by their names
    (source_files_condition: DuckDB skips the other row groups). -#}
{% macro record_file_versions(relative_glob) -%}
    {{ return(adapter.dispatch('record_file_versions', 'promo_factory')(relative_glob)) }}
{%- endmacro %}

{% macro default__record_file_versions(relative_glob) -%}
    select 1 as no_file_versions_kept
{%- endmacro %}

{% macro duckdb__record_file_versions(relative_glob) -%}
    {%- set versions = file_versions_relation(this) -%}
    {%- if not core_is_incremental_run() or not warehouse_table_exists(versions) -%}
        create or replace table {{ versions }} as {{ count_file_versions_query(this) }}
    {%- else -%}
        {%- set current = landing_version_keys(landing_file_versions(relative_glob)) -%}
        {%- set held = query_version_keys("select source_file, source_file_version from " ~ versions) -%}
        {%- set changed = file_names_missing_from(current, held) -%}
        {%- for source_file in file_names_missing_from(held, current) if source_file not in changed -%}
            {%- do changed.append(source_file) -%}
        {%- endfor -%}
        {%- if changed | length == 0 -%}
            select 1 as no_file_version_changed
        {%- else -%}
            delete from {{ versions }}
            where {{ source_files_condition(changed) }};
            insert into {{ versions }} {{ count_file_versions_query(this, changed) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of int_core__sales_records (first of two): its file versions are the staged ones (see above), read
    from each staging table's list when complete, else counted from its rows. -#}
{% macro copy_file_versions() -%}
    {{ return(adapter.dispatch('copy_file_versions', 'promo_factory')()) }}
{%- endmacro %}

{% macro default__copy_file_versions() -%}
    select 1 as no_file_versions_kept
{%- endmacro %}

{% macro duckdb__copy_file_versions() -%}
    create or replace table {{ file_versions_relation(this) }} as
    {% for sale_source in sales_sources() -%}
        {%- set staging_relation = ref(sale_source.staging_model) -%}
        {%- if file_versions_are_complete(staging_relation) -%}
            select source_file, source_file_version, n_rows from {{ file_versions_relation(staging_relation) }}
        {%- else -%}
            {{ count_file_versions_query(staging_relation) }}
        {%- endif %}
        {{ 'union all' if not loop.last }}
    {% endfor -%}
{%- endmacro %}

{#- Post-hook (second of two) of a table that keeps a file-versions list: when the list does not account for every
    row (see above), count it again from the whole table. -#}
{% macro complete_file_versions() -%}
    {{ return(adapter.dispatch('complete_file_versions', 'promo_factory')()) }}
{%- endmacro %}

{% macro default__complete_file_versions() -%}
    select 1 as no_file_versions_kept
{%- endmacro %}

{% macro duckdb__complete_file_versions() -%}
    {%- if file_versions_are_complete(this) -%}
        select 1 as file_versions_complete
    {%- else -%}
        create or replace table {{ file_versions_relation(this) }} as {{ count_file_versions_query(this) }}
    {%- endif -%}
{%- endmacro %}
