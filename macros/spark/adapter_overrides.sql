{#- dbt-spark overrides that let the project's YAML types and seeds run unchanged on Spark.

    The YAML declares `data_type: varchar` (model contracts, seed column_types): DuckDB's text type, which Spark
    only knows with a length (varchar(n)); on Spark it means `string`. dbt-spark's session cursor also formats
    seed values into the SQL without escaping quotes (Côte d'Azur breaks the insert) and writes nulls as 'None':
    the seed rows are written as escaped literals here. -#}

{#- A column type of the YAML in Spark's spelling (varchar / text without a length -> string). -#}
{% macro spark_column_type(data_type) -%}
    {%- set normalised = (data_type | string).strip().lower() -%}
    {{- 'string' if normalised in ['varchar', 'text', 'character varying', 'char'] else data_type -}}
{%- endmacro %}

{#- dbt.cast (used by model contracts for the declared types). -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_column_type(type) }})
{%- endmacro %}

{#- A seed value as a Spark SQL literal (null, number, or escaped text). -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number and value is not sameas true and value is not sameas false -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {% set sql %}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = spark_column_type(column_override.get(col_name, inferred_type)) -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }}
                {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}
    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}
    {{ return(sql) }}
{% endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(get_batch_size()) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = spark_column_type(column_override.get(col_name, inferred_type)) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}
