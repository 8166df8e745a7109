-- depends_on: {{ source('campaigns', 'campaigns') }}
{%- set columns = [
    'campaign_id', 'brand', 'category_l2', 'offer_type', 'offer_value', 'start_date', 'end_date',
    'retailers', 'budget_eur', 'cost_per_offer_eur', 'holdout_share',
] %}

with

source as (
    select * from {{ read_landing_csv('campaigns/campaigns.csv', columns, ordered=true) }}
),

final as (
    select
        -- lineage
        source_file,
        row_order,

        -- ids
        {{ clean_text('campaign_id') }} as campaign_id,

        -- scope
        {{ normalise_brand('brand') }} as brand,
        {{ clean_text('category_l2') }} as category_l2,
        upper(replace({{ clean_text('retailers') }}, ' ', '')) as retailers,

        -- offer
        lower({{ clean_text('offer_type') }}) as offer_type,
        {{ parse_decimal('offer_value') }} as offer_value,
        {{ parse_decimal('budget_eur') }} as budget_eur,
        {{ parse_decimal('cost_per_offer_eur') }} as cost_per_offer_eur,
        {{ try_cast_as("replace(trim(holdout_share), ',', '.')", 'double') }} as holdout_share,

        -- dates
        {{ try_cast_as('trim(start_date)', 'date') }} as start_date,
        {{ try_cast_as('trim(end_date)', 'date') }} as end_date
    from source
)

select * from final
