-- One row per trained model x metric: the propensity models (per brand) and the uplift learners.

with

propensity_metrics as (
    select * from {{ ref('propensity_model_metrics') }}
),

uplift_metrics as (
    select * from {{ ref('uplift_model_metrics') }}
),

unioned as (
    select
        model_name,
        model_version,
        trained_at,
        metric,
        value,
        brand,
        evaluated_on
    from propensity_metrics
    union all
    select
        model_name,
        model_version,
        trained_at,
        metric,
        value,
        brand,
        evaluated_on
    from uplift_metrics
),

final as (
    select
        cast(model_name as {{ dbt.type_string() }}) as model_name,
        cast(model_version as {{ dbt.type_string() }}) as model_version,
        cast(trained_at as {{ dbt.type_timestamp() }}) as trained_at,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(value as {{ dbt.type_float() }}) as value,  -- noqa: RF04
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast(evaluated_on as {{ dbt.type_string() }}) as evaluated_on
    from unioned
)

select * from final
