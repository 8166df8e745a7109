-- One row per as-of date at which shopper features are computed: a 28-day
-- training grid, the scoring date (the day after the last business date),
-- each past campaign's start_date and each planned campaign's start_date.
-- Features as of D use sales with business_date < D only; window bounds are precomputed here.
-- Grid anchor (var feature_grid_anchor): `last_business_date` (default) counts the 28-day steps back from the
-- last date with an observed target window, so every grid date moves with each new day; `history_start` counts
-- them from the first date with enough history (first business date + 91 days), so a new day leaves the grid
-- dates in place (the incremental run keeps their features) and adds one every 28 days.

{% set step_days = var('feature_grid_step_days', 28) %}
{% set max_points = var('feature_grid_max_points', 8) %}
{% set min_history_days = var('feature_min_history_days', 91) %}
{% set horizon_days = var('propensity_horizon_days', 28) %}
{% set grid_anchor = var('feature_grid_anchor', 'last_business_date') %}
{% if grid_anchor not in ['history_start', 'last_business_date'] %}
    {{ exceptions.raise_compiler_error(
        "var feature_grid_anchor: '" ~ grid_anchor ~ "' is neither 'history_start' nor 'last_business_date'") }}
{% endif %}

with

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

sales_range as (
    select
        min(business_date) as first_business_date,
        max(business_date) as last_business_date
    from sales_lines
),

steps as (
    {{ dbt.generate_series(max_points) }}
),

-- grid dates lie between the first date with enough history and the last date whose target window
-- [D, D + horizon - 1] is observed
grid_bounds as (
    select
        cast({{ dbt.dateadd('day', min_history_days, 'first_business_date') }} as date) as first_grid_date,
        cast({{ dbt.dateadd('day', 1 - horizon_days, 'last_business_date') }} as date) as last_observed_date
    from sales_range
),

grid_steps as (
    select
        first_grid_date,
        last_observed_date,
        {{ integer_divide(dbt.datediff('first_grid_date', 'last_observed_date', 'day'), step_days) }} as whole_steps  -- noqa: LT05
    from grid_bounds
),

latest_grid_dates as (
    select
        first_grid_date,
        last_observed_date,
        {% if grid_anchor == 'history_start' %}
            -- the last whole number of steps after the first grid date
            cast(
                {{ dbt.dateadd('day', step_days ~ ' * whole_steps', 'first_grid_date') }}
                as date
            ) as latest_grid_date
        {% else %}
            last_observed_date as latest_grid_date
        {% endif %}
    from grid_steps
),

grid_candidates as (
    select
        latest_grid_dates.first_grid_date,
        latest_grid_dates.last_observed_date,
        cast(
            {{ dbt.dateadd(
                'day', '-' ~ step_days ~ ' * (steps.generated_number - 1)', 'latest_grid_dates.latest_grid_date'
            ) }}
            as date
        ) as as_of_date
    from steps
    cross join latest_grid_dates
),

-- the latest max_points grid dates
grid_dates as (
    select
        as_of_date,
        'training_grid' as as_of_kind
    from grid_candidates
    where as_of_date >= first_grid_date and as_of_date <= last_observed_date
),

scoring_date as (
    select
        cast({{ dbt.dateadd('day', '1', 'last_business_date') }} as date) as as_of_date,
        'scoring' as as_of_kind
    from sales_range
),

campaign_dates as (
    select
        start_date as as_of_date,
        case
            when campaign_status = 'planned' then 'planned_campaign_start'
            else 'past_campaign_start'
        end as as_of_kind
    from campaigns
),

candidate_dates as (
    select
        grid_dates.as_of_date,
        grid_dates.as_of_kind
    from grid_dates
    union all
    select
        as_of_date,
        as_of_kind
    from scoring_date
    union all
    select
        as_of_date,
        as_of_kind
    from campaign_dates
),

flagged as (
    select
        as_of_date,
        max(case when as_of_kind = 'training_grid' then 1 else 0 end) = 1 as is_training_grid,
        max(case when as_of_kind = 'scoring' then 1 else 0 end) = 1 as is_scoring_date,
        max(case when as_of_kind = 'past_campaign_start' then 1 else 0 end) = 1 as is_past_campaign_start,
        max(case when as_of_kind = 'planned_campaign_start' then 1 else 0 end) = 1 as is_planned_campaign_start
    from candidate_dates
    group by as_of_date
),

final as (
    select
        flagged.as_of_date,
        flagged.is_training_grid,
        flagged.is_scoring_date,
        flagged.is_past_campaign_start,
        flagged.is_planned_campaign_start,
        cast({{ dbt.dateadd('day', '-365', 'flagged.as_of_date') }} as date) as window_start_date,
        cast({{ dbt.dateadd('day', '-90', 'flagged.as_of_date') }} as date) as recent_start_date,
        cast({{ dbt.dateadd('day', '-56', 'flagged.as_of_date') }} as date) as status_start_date,
        cast({{ dbt.dateadd('day', horizon_days, 'flagged.as_of_date') }} as date) as target_end_date,
        {{ dbt.dateadd('day', horizon_days - 1, 'flagged.as_of_date') }}
        <= sales_range.last_business_date as has_full_target_window,
        sales_range.last_business_date
    from flagged
    cross join sales_range
)

select * from final
