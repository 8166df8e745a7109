{#- BETA orders (JSON Lines): one row per record. DuckDB json functions stay behind adapter.dispatch. -#}

{#- A subquery with one row per BETA record: one per item of a line that is a JSON object, one per line
    that is not (is_json_object = false) or that holds no item (item_position null). Every field is text.
    Columns: source_file, line_number, is_json_object, order_id, placed_at, status, channel, store_code,
    customer_id, customer_email_sha256, item_position, gtin, qty, unit_price, discount, coupon. -#}
{% macro read_landing_order_items(relative_glob) -%}
    {{ return(adapter.dispatch('read_landing_order_items', 'promo_factory')(relative_glob)) }}
{%- endmacro %}

{% macro duckdb__read_landing_order_items(relative_glob) -%}
    (
        with

        lines as (
            select * from {{ read_landing_lines(relative_glob) }}
        ),

        parsed as (
            select
                source_file,
                line_number,
                line_text,
                coalesce(json_valid(line_text), false)
                and json_type(case when json_valid(line_text) then line_text end) = 'OBJECT' as is_json_object
            from lines
        ),

        orders as (
            select
                source_file,
                line_number,
                is_json_object,
                json_extract_string(line_text, '$.order_id') as order_id,
                json_extract_string(line_text, '$.placed_at') as placed_at,
                json_extract_string(line_text, '$.status') as status,
                json_extract_string(line_text, '$.channel') as channel,
                json_extract_string(line_text, '$.store_code') as store_code,
                json_extract_string(line_text, '$.customer.id') as customer_id,
                json_extract_string(line_text, '$.customer.email_sha256') as customer_email_sha256,
                case
                    when json_type(line_text, '$.items') = 'ARRAY'
                        then json_extract(line_text, '$.items[*]')
                end as items
            from parsed
            where is_json_object
        ),

        items as (
            select
                source_file,
                line_number,
                is_json_object,
                order_id,
                placed_at,
                status,
                channel,
                store_code,
                customer_id,
                customer_email_sha256,
                unnest(range(1, len(items) + 1)) as item_position,
                unnest(items) as item
            from orders
            where len(items) > 0
        ),

        final as (
            select
                source_file,
                line_number,
                is_json_object,
                order_id,
                placed_at,
                status,
                channel,
                store_code,
                customer_id,
                customer_email_sha256,
                cast(item_position as integer) as item_position,
                json_extract_string(item, '$.gtin') as gtin,
                json_extract_string(item, '$.qty') as qty,
                json_extract_string(item, '$.unit_price') as unit_price,
                json_extract_string(item, '$.discount') as discount,
                json_extract_string(item, '$.coupon') as coupon
            from items

            union all

            select
                source_file,
                line_number,
                is_json_object,
                order_id,
                placed_at,
                status,
                channel,
                store_code,
                customer_id,
                customer_email_sha256,
                cast(null as integer) as item_position,
                null as gtin,
                null as qty,
                null as unit_price,
                null as discount,
                null as coupon
            from orders
            where coalesce(len(items), 0) = 0

            union all

            select
                source_file,
                line_number,
                is_json_object,
                null as order_id,
                null as placed_at,
                null as status,
                null as channel,
                null as store_code,
                null as customer_id,
                null as customer_email_sha256,
                cast(null as integer) as item_position,
                null as gtin,
                null as qty,
                null as unit_price,
                null as discount,
                null as coupon
            from parsed
            where not is_json_object
        )

        select * from final
    )
{%- endmacro %}

{% macro default__read_landing_order_items(relative_glob) -%}
    {{ exceptions.raise_compiler_error("read_landing_order_items: no implementation for adapter " ~ adapter.type()) }}
{%- endmacro %}
