"""Every SQL question the pages ask, as named functions with bound parameters that return DataFrames.

`Selection.area` narrows a question to the whole warehouse (''), a provinsi, kabupaten, kecamatan or desa,
by Kemendagri code. Totals come from the pre-aggregated marts of migration 0002 (`agregat_bulanan`,
`agregat_laporan`: one row per area x month [x indicator] at every level, kept current by the ETL), so a
question about the nation reads a few hundred rows instead of scanning a hundred million facts.

Split by subject (`base`, `areas`, `reports`, `population`); import them from here: `queries.periods(con)`.
"""

from dashboard.queries.areas import (
    area_label as area_label,
)
from dashboard.queries.areas import (
    audit_log as audit_log,
)
from dashboard.queries.areas import (
    desa_count as desa_count,
)
from dashboard.queries.areas import (
    desa_list as desa_list,
)
from dashboard.queries.areas import (
    import_batches as import_batches,
)
from dashboard.queries.areas import (
    indikator_list as indikator_list,
)
from dashboard.queries.areas import (
    kecamatan_list as kecamatan_list,
)
from dashboard.queries.areas import (
    latest_complete_month as latest_complete_month,
)
from dashboard.queries.areas import (
    map_geometry as map_geometry,
)
from dashboard.queries.areas import (
    periods as periods,
)
from dashboard.queries.areas import (
    setting as setting,
)
from dashboard.queries.areas import (
    warehouse_info as warehouse_info,
)
from dashboard.queries.base import Con as Con
from dashboard.queries.base import Selection as Selection
from dashboard.queries.population import (
    area_monthly as area_monthly,
)
from dashboard.queries.population import (
    area_monthly_rates as area_monthly_rates,
)
from dashboard.queries.population import (
    population as population,
)
from dashboard.queries.population import (
    population_by_month as population_by_month,
)
from dashboard.queries.population import (
    population_coverage as population_coverage,
)
from dashboard.queries.population import (
    population_sources as population_sources,
)
from dashboard.queries.population import (
    priority_counts as priority_counts,
)
from dashboard.queries.reports import (
    always_reporting as always_reporting,
)
from dashboard.queries.reports import (
    area_profile as area_profile,
)
from dashboard.queries.reports import (
    by_indikator as by_indikator,
)
from dashboard.queries.reports import (
    by_wilayah as by_wilayah,
)
from dashboard.queries.reports import (
    like_for_like as like_for_like,
)
from dashboard.queries.reports import (
    map_values as map_values,
)
from dashboard.queries.reports import (
    not_reported as not_reported,
)
from dashboard.queries.reports import (
    pivot_wide as pivot_wide,
)
from dashboard.queries.reports import (
    report_status as report_status,
)
from dashboard.queries.reports import (
    sharpest_rises as sharpest_rises,
)
from dashboard.queries.reports import (
    total_for_month as total_for_month,
)
from dashboard.queries.reports import (
    trend as trend,
)
