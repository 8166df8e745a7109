-- depends_on: {{ source('beta', 'orders') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_stale_landing_rows('beta/orders/*.jsonl') }}",
    post_hook=["{{ record_file_versions('beta/orders/*.jsonl') }}", "{{ complete_file_versions() }}"],
) }}
-- Incremental (macros/landing/incremental.sql): reads only the raw files it does not hold in their current version.
-- Stored: only what the shared schema and its checks read (every stored column costs a write per row at each
-- full build). The customer id stops here: only its pseudonymous shopper_key is kept. The channel is not
-- kept; the unit price feeds the checks and the net amount only, the GTIN as delivered the missing-field
-- check only. The record reference (<order_id>/<item position>, or "line <n>") is derived from the key and
-- the line number where it is read (int_core__record_outcomes), not stored for every item.
{%- set file_versions = landing_file_versions('beta/orders/*.jsonl') %}
{%- set pending_files = landing_pending_files(file_versions) %}
{%- set net_amount_eur = line_net_amount('units', 'unit_price_eur', 'coalesce(discount_value_eur, 0)') %}

with

file_versions as (
    select * from {{ landing_versions_values(pending_files) }} as pending
    where source_file is not null
),

source as (
    select * from {{ read_landing_order_items('beta/orders/*.jsonl', files=pending_files) }}
),

renamed as (
    select
        -- lineage
        source.source_file,
        file_versions.source_file_version,
        file_versions.file_date,
        line_number as row_order,
        is_json_object,

        -- ids
        {{ clean_text('order_id') }} as transaction_id,
        item_position as line_number,
        {{ clean_text('store_code') }} as store_code,
        {{ normalise_customer_ref('BETA', 'customer_id') }} as customer_ref,

        -- order
        lower({{ clean_text('status') }}) as order_status,

        -- product
        {{ clean_text('gtin') }} as gtin_raw,
        {{ gtin_to_14('gtin') }} as gtin,

        -- quantities and amounts
        {{ clean_text('qty') }} as units_text,
        {{ parse_whole_number('qty') }} as units,
        {{ clean_text('unit_price') }} as unit_price_text,
        {{ parse_decimal('unit_price') }} as unit_price_eur,
        {{ clean_text('discount') }} as discount_text,
        {{ parse_decimal('discount') }} as discount_value_eur,
        {{ clean_text('coupon') }} as campaign_id,

        -- dates
        {{ clean_text('placed_at') }} as placed_at_text,
        {{ iso_text_to_utc('placed_at', 'Europe/Paris') }} as sold_at_utc
    from source
    inner join file_versions
        on source.source_file = file_versions.source_file
),

final as (
    select
        source_file,
        source_file_version,
        row_order,
        not is_json_object as is_malformed_json,
        store_code,
        transaction_id,
        line_number,
        {{ shopper_key("'BETA'", 'customer_ref') }} as shopper_key,
        order_status,
        gtin,
        {{ is_valid_gtin14('gtin') }} as is_valid_gtin,
        sold_at_utc,
        {{ paris_local_date('sold_at_utc') }} as business_date,
        units,
        cast(coalesce(discount_value_eur, 0) as decimal(18, 6)) as discount_eur,
        {{ net_amount_eur }} as net_amount_eur,
        campaign_id,
        -- validation checks (docs/CONVENTIONS.md, in order)
        (
            transaction_id is null
            or line_number is null
            or store_code is null
            or placed_at_text is null
            or gtin_raw is null
            or units_text is null
        ) as has_missing_field,
        (
            sold_at_utc is null
            or {{ is_implausible_business_date(paris_local_date('sold_at_utc'), 'file_date') }}
        ) as has_invalid_timestamp,
        units is null as has_invalid_quantity,
        (
            unit_price_eur is null
            or (discount_text is not null and discount_value_eur is null)
            or coalesce(discount_value_eur, 0) < 0
            -- an amount beyond decimal(18, 6) (e.g. a huge quantity times its price)
            or (units is not null and {{ net_amount_eur }} is null)
        ) as has_invalid_amount
    from renamed
)

select * from final
