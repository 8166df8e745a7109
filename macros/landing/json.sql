{#- BETA orders (JSON Lines): one row per record. DuckDB json functions stay behind adapter.dispatch. -#}

{#- A subquery with one row per BETA record: one per item of a line that is a JSON object, one per line
    that is not (is_json_object = false) or that holds no item (item_position null). Every field is text.
    Columns: source_file, line_number, is_json_object, order_id, placed_at, status, channel, store_code,
    customer_id, customer_email_sha256, item_position, gtin, qty, unit_price, discount, coupon. -#}
{% macro read_landing_order_items(relative_glob, files=none) -%}
    {{ return(adapter.dispatch('read_landing_order_items', 'promo_factory')(relative_glob, files)) }}
{%- endmacro %}

{% macro duckdb__read_landing_order_items(relative_glob, files=none) -%}
    (
        with

        lines as (
            select * from {{ read_landing_lines(relative_glob, files) }}
        ),

        -- one JSON parse per line: a line is a JSON object when it starts with "{" and parses (try() turns a
        -- parse error into null); every field is read as text (numbers keep their JSON spelling)
        parsed as materialized (
            select
                source_file,
                line_number,
                case
                    -- the first 64 characters decide, except for a line starting with 64 blanks (ltrim copies)
                    when left(ltrim(left(line_text, 64)), 1) = '{' or left(ltrim(line_text), 1) = '{'
                        then try(json_transform(line_text, '{{ beta_order_json_structure() }}'))
                end as order_json
            from lines
        ),

        orders as (
            {{ beta_orders_from_parsed("order_json is not null") }}
        ),

        items as (
            select
                {{ beta_order_columns() }},
                unnest(range(1, len(items) + 1)) as item_position,
                unnest(items) as item
            from orders
            where len(items) > 0
        ),

        final as (
            {{ beta_order_items_union("item_position", "coalesce(len(items), 0) = 0", "order_json is null") }}
        )

        select * from final
    )
{%- endmacro %}

{#- The order-level columns every row of read_landing_order_items starts with. -#}
{% macro beta_order_columns() -%}
    source_file, line_number, is_json_object, order_id, placed_at, status, channel, store_code, customer_id,
    customer_email_sha256
{%- endmacro %}

{#- One row per line that parsed into a JSON object (``parsed.order_json``), its items still an array. -#}
{% macro beta_orders_from_parsed(is_order) -%}
    select
        source_file,
        line_number,
        true as is_json_object,
        order_json.order_id,
        order_json.placed_at,
        order_json.status,
        order_json.channel,
        order_json.store_code,
        order_json.customer.id as customer_id,
        order_json.customer.email_sha256 as customer_email_sha256,
        order_json.items
    from parsed
    where {{ is_order }}
{%- endmacro %}

{#- The rows of read_landing_order_items from the adapter's CTEs ``items`` (one per item, with ``item`` and
    the position expression ``item_position``), ``orders`` (``has_no_item``: an order without items keeps
    one row) and ``parsed`` (``is_malformed``: a line that is not a JSON object keeps one row). -#}
{% macro beta_order_items_union(item_position, has_no_item, is_malformed) -%}
    {%- set text = dbt.type_string() -%}
    {%- set order_fields = ['order_id', 'placed_at', 'status', 'channel', 'store_code', 'customer_id',
                            'customer_email_sha256'] -%}
    {%- set item_fields = ['gtin', 'qty', 'unit_price', 'discount', 'coupon'] -%}
    select
        {{ beta_order_columns() }},
        cast({{ item_position }} as integer) as item_position,
        {%- for field in item_fields %}
        item.{{ field }}{{ "," if not loop.last }}
        {%- endfor %}
    from items

    union all

    select
        {{ beta_order_columns() }},
        cast(null as integer) as item_position,
        {%- for field in item_fields %}
        cast(null as {{ text }}) as {{ field }}{{ "," if not loop.last }}
        {%- endfor %}
    from orders
    where {{ has_no_item }}

    union all

    select
        source_file,
        line_number,
        false as is_json_object,
        {%- for field in order_fields %}
        cast(null as {{ text }}) as {{ field }},
        {%- endfor %}
        cast(null as integer) as item_position,
        {%- for field in item_fields %}
        cast(null as {{ text }}) as {{ field }}{{ "," if not loop.last }}
        {%- endfor %}
    from parsed
    where {{ is_malformed }}
{%- endmacro %}

{#- The BETA order as a JSON structure of text fields (LANDING_ZONE.md). -#}
{% macro beta_order_json_structure() -%}
    {{- '{"order_id": "VARCHAR", "placed_at": "VARCHAR", "status": "VARCHAR", "channel": "VARCHAR", '
        ~ '"store_code": "VARCHAR", "customer": {"id": "VARCHAR", "email_sha256": "VARCHAR"}, '
        ~ '"items": [{"gtin": "VARCHAR", "qty": "VARCHAR", "unit_price": "VARCHAR", "discount": "VARCHAR", '
        ~ '"coupon": "VARCHAR"}]}' -}}
{%- endmacro %}

{#- Spark: one from_json per line with a schema of text fields; a line that is not a JSON object (or does not
    parse) gets _corrupt_record set (PERMISSIVE mode). posexplode gives the 0-based item position. -#}
{% macro spark__read_landing_order_items(relative_glob, files=none) -%}
    (
        with

        lines as (
            select * from {{ read_landing_lines(relative_glob, files) }}
        ),

        parsed as (
            select
                source_file,
                line_number,
                case
                    when left(ltrim(line_text), 1) = '{'
                        then from_json(
                            line_text,
                            '{{ beta_order_spark_schema() }}',
                            map('mode', 'PERMISSIVE', 'columnNameOfCorruptRecord', '_corrupt_record')
                        )
                end as order_json
            from lines
        ),

        orders as (
            {{ beta_orders_from_parsed("order_json is not null and order_json._corrupt_record is null") }}
        ),

        items as (
            select
                {{ beta_order_columns() }},
                posexplode(items) as (item_index, item)
            from orders
            where size(items) > 0
        ),

        final as (
            {{ beta_order_items_union(
                "item_index + 1",
                "coalesce(size(items), 0) <= 0",
                "order_json is null or order_json._corrupt_record is not null"
            ) }}
        )

        select * from final
    )
{%- endmacro %}

{#- The BETA order as a Spark DDL schema of text fields, plus the corrupt-record column. -#}
{% macro beta_order_spark_schema() -%}
    {{- 'order_id string, placed_at string, status string, channel string, store_code string, '
        ~ 'customer struct<id: string, email_sha256: string>, '
        ~ 'items array<struct<gtin: string, qty: string, unit_price: string, discount: string, coupon: string>>, '
        ~ '_corrupt_record string' -}}
{%- endmacro %}

{% macro default__read_landing_order_items(relative_glob, files=none) -%}
    {{ exceptions.raise_compiler_error("read_landing_order_items: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}
