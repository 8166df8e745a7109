-- depends_on: {{ source('alpha', 'receipts') }}
{{ config(
    materialized=core_incremental_materialization(),
    incremental_strategy=core_incremental_strategy(),
    on_schema_change='fail',
    pre_hook="{{ delete_stale_landing_rows('alpha/receipts/*.csv') }}",
    post_hook=["{{ record_file_versions('alpha/receipts/*.csv') }}", "{{ complete_file_versions() }}"],
) }}
-- Incremental (macros/landing/incremental.sql): reads only the raw files it does not hold in their current version.
-- Stored: only what the shared schema and its checks read (every stored column costs a write per row at each
-- full build). The loyalty card number stops here: only its pseudonymous shopper_key is kept. The till label
-- (libelle) is not kept; the unit price and weight feed the checks and the net amount only, the GTIN as
-- delivered the missing-field check only. The record reference (<ticket_id>/<ligne>) is derived from the key
-- where it is read (int_core__record_outcomes), not stored for every row.
{%- set file_versions = landing_file_versions('alpha/receipts/*.csv') %}
{%- set pending_files = landing_pending_files(file_versions) %}
{%- set columns = [
    'ticket_id', 'ligne', 'store_code', 'date_heure', 'carte_fidelite', 'ean',
    'libelle', 'qte', 'poids_kg', 'prix_unitaire', 'remise', 'code_promo',
] %}

{%- set net_amount_eur = line_net_amount(
    'coalesce(weight_kg, units)', 'unit_price_eur', 'coalesce(discount_value_eur, 0)') %}

with

file_versions as (
    select * from {{ landing_versions_values(pending_files) }} as pending
    where source_file is not null
),

source as (
    select * from {{ read_landing_csv(
        'alpha/receipts/*.csv', columns, delimiter=';', files=pending_files, keep_short_rows=true
    ) }}
),

renamed as (
    select
        -- lineage
        source.source_file,
        file_versions.source_file_version,
        file_versions.file_date,
        row_order,
        is_short_row,

        -- ids
        {{ clean_text('ticket_id') }} as transaction_id,
        {{ clean_text('ligne') }} as line_number_text,
        {{ parse_whole_number('ligne') }} as line_number,
        {{ clean_text('store_code') }} as store_code,
        {{ normalise_customer_ref('ALPHA', 'carte_fidelite') }} as customer_ref,

        -- product
        {{ clean_text('ean') }} as gtin_raw,
        {{ gtin_to_14('ean') }} as gtin,

        -- quantities and amounts
        {{ clean_text('qte') }} as units_text,
        {{ parse_whole_number('qte') }} as units,
        {{ clean_text('poids_kg') }} as weight_kg_text,
        {{ parse_decimal('poids_kg') }} as weight_kg,
        {{ clean_text('prix_unitaire') }} as unit_price_text,
        {{ parse_decimal('prix_unitaire') }} as unit_price_eur,
        {{ clean_text('remise') }} as discount_text,
        {{ parse_decimal('remise') }} as discount_value_eur,
        {{ clean_text('code_promo') }} as campaign_id,

        -- dates
        {{ clean_text('date_heure') }} as sold_at_local_text,
        {{ parse_timestamp('date_heure', '%d/%m/%Y %H:%M:%S') }} as sold_at_local
    from source
    inner join file_versions
        on source.source_file = file_versions.source_file
),

final as (
    select
        source_file,
        source_file_version,
        row_order,
        store_code,
        transaction_id,
        line_number,
        -- the record reference is <ticket_id>/<ligne> as delivered (int_core__record_outcomes): ligne is kept only
        -- where the number does not spell it (e.g. '02', 'x'), so that the reference is not stored for every row
        case
            when
                line_number_text
                <> coalesce(cast(line_number as {{ dbt.type_string() }}), '')
                then line_number_text
        end as line_number_as_delivered,
        {{ shopper_key("'ALPHA'", 'customer_ref') }} as shopper_key,
        gtin,
        {{ is_valid_gtin14('gtin') }} as is_valid_gtin,
        {{ paris_local_to_utc('sold_at_local') }} as sold_at_utc,
        cast(sold_at_local as date) as business_date,
        units,
        cast(coalesce(discount_value_eur, 0) as decimal(18, 6)) as discount_eur,
        {{ net_amount_eur }} as net_amount_eur,
        campaign_id,
        -- validation checks (docs/CONVENTIONS.md, in order)
        (
            is_short_row
            or transaction_id is null
            or line_number_text is null
            or line_number is null
            or store_code is null
            or sold_at_local_text is null
            or gtin_raw is null
            or units_text is null
        ) as has_missing_field,
        (
            sold_at_local is null
            or {{ is_implausible_business_date('cast(sold_at_local as date)', 'file_date') }}
        ) as has_invalid_timestamp,
        units is null as has_invalid_quantity,
        (
            unit_price_eur is null
            or (weight_kg_text is not null and weight_kg is null)
            or (discount_text is not null and discount_value_eur is null)
            or coalesce(discount_value_eur, 0) < 0
            -- an amount beyond decimal(18, 6) (e.g. a huge quantity times its price)
            or (coalesce(weight_kg, units) is not null and {{ net_amount_eur }} is null)
        ) as has_invalid_amount
    from renamed
)

select * from final
