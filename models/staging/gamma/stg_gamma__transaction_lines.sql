-- depends_on: {{ source('gamma', 'transactions') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_stale_landing_rows('gamma/transactions/date=*/*.parquet') }}",
    post_hook=["{{ record_file_versions('gamma/transactions/date=*/*.parquet') }}", "{{ complete_file_versions() }}"],
) }}
-- Incremental (macros/landing/incremental.sql): reads only the raw files it does not hold in their current version.
-- Stored: only what the shared schema and its checks read. The member id stops here: only its pseudonymous
-- shopper_key is kept. The record reference (<txn_id>/<line_no>) is derived from the key where it is read
-- (int_core__record_outcomes), not stored for every row.
{%- set file_versions = landing_file_versions('gamma/transactions/date=*/*.parquet') %}
{%- set pending_files = landing_pending_files(file_versions) %}
{%- set columns = {
    'txn_id': dbt.type_string(),
    'line_no': 'integer',
    'shop_id': 'integer',
    'ts_utc': 'timestamp',
    'member_id': 'bigint',
    'sku': dbt.type_string(),
    'quantity': 'double',
    'amount_cents': 'bigint',
    'discount_cents': 'bigint',
    'promo_ref': dbt.type_string(),
} %}
{%- set units = 'case when units_value = round(units_value, 0) then '
    ~ try_cast_as('units_value', 'integer') ~ ' end' %}
{%- set net_amount_eur = try_cast_as('amount_cents * 0.01', 'decimal(18, 6)') %}
{%- set discount_eur = try_cast_as('coalesce(discount_cents, 0) * 0.01', 'decimal(18, 6)') %}

with

file_versions as (
    select * from {{ landing_versions_values(pending_files) }} as pending
    where source_file is not null
),

source as (
    select *
    from {{ read_landing_parquet('gamma/transactions/date=*/*.parquet', columns, ['ts_utc'], files=pending_files) }}
),

renamed as (
    select
        -- lineage
        source.source_file,
        file_versions.source_file_version,
        file_versions.file_date,
        row_order,

        -- ids
        {{ clean_text('txn_id') }} as transaction_id,
        line_no as line_number,
        shop_id,
        {{ try_cast_as('member_id', dbt.type_string()) }} as customer_ref,

        -- product
        {{ clean_text('sku') }} as sku,

        -- quantities and amounts
        quantity as units_value,
        amount_cents,
        discount_cents,
        {{ clean_text('promo_ref') }} as campaign_id,

        -- dates
        ts_utc as sold_at_utc
    from source
    inner join file_versions
        on source.source_file = file_versions.source_file
),

final as (
    select
        source_file,
        source_file_version,
        row_order,
        case
            when shop_id is not null
                then {{ dbt.concat(["'G'", "lpad(" ~ try_cast_as('shop_id', dbt.type_string()) ~ ", 3, '0')"]) }}
        end as store_code,
        transaction_id,
        line_number,
        {{ shopper_key("'GAMMA'", 'customer_ref') }} as shopper_key,
        sku,
        sold_at_utc,
        {{ paris_local_date('sold_at_utc') }} as business_date,
        {{ units }} as units,
        {{ net_amount_eur }} as net_amount_eur,
        {{ discount_eur }} as discount_eur,
        campaign_id,
        -- validation checks (docs/CONVENTIONS.md, in order)
        (
            transaction_id is null
            or line_number is null
            or shop_id is null
            or sold_at_utc is null
            or sku is null
            or units_value is null
        ) as has_missing_field,
        {{ is_implausible_business_date(paris_local_date('sold_at_utc'), 'file_date') }} as has_invalid_timestamp,
        -- fractional, NaN, infinite or beyond the integer range
        (units_value is not null and {{ units }} is null) as has_invalid_quantity,
        (
            amount_cents is null
            or coalesce(discount_cents, 0) < 0
            -- beyond decimal(18, 6)
            or {{ net_amount_eur }} is null
            or {{ discount_eur }} is null
        ) as has_invalid_amount
    from renamed
)

select * from final
