"""Regions as data: organisations, municipalities and plans belong to a region.

Every existing row goes to «Тульская область» (the order's region); a
municipality whose old text field named another region gets a region of that
name. Reversing writes the region's name back into the text field.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify

TULA_NAME = "Тульская область"
TULA_KEY = "tula"


def _region_for(Region, name, cache):
    name = (name or "").strip() or TULA_NAME
    if name in cache:
        return cache[name]
    region = Region.objects.filter(name=name).first()
    if region is None:
        if name == TULA_NAME:
            key = TULA_KEY
        else:
            base = slugify(name, allow_unicode=False) or "region"
            key, n = base[:60], 1
            while Region.objects.filter(key=key).exists():
                n += 1
                key = f"{base[:55]}-{n}"
        region = Region.objects.create(name=name, key=key, order=Region.objects.count())
    cache[name] = region
    return region


def forwards(apps, schema_editor):
    Region = apps.get_model("roadmap", "Region")
    Municipality = apps.get_model("roadmap", "Municipality")
    Organization = apps.get_model("roadmap", "Organization")
    Plan = apps.get_model("roadmap", "Plan")
    if not (Municipality.objects.exists() or Organization.objects.exists() or Plan.objects.exists()):
        return  # a fresh database: the loader creates the region with the order
    cache = {}
    tula = _region_for(Region, TULA_NAME, cache)
    for name in Municipality.objects.values_list("region_name", flat=True).distinct():
        Municipality.objects.filter(region_name=name).update(region=_region_for(Region, name, cache))
    # An organisation follows its municipality's region; one without a municipality is Tula's.
    for region_id in Municipality.objects.values_list("region_id", flat=True).distinct():
        Organization.objects.filter(municipality__region_id=region_id).update(region_id=region_id)
    Organization.objects.filter(region__isnull=True).update(region=tula)
    Plan.objects.filter(region__isnull=True).update(region=tula)


def backwards(apps, schema_editor):
    Municipality = apps.get_model("roadmap", "Municipality")
    for municipality in Municipality.objects.select_related("region").exclude(region=None):
        municipality.region_name = municipality.region.name
        municipality.save(update_fields=["region_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("roadmap", "0013_event_rollups"),
    ]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                (
                    "key",
                    models.SlugField(
                        help_text="Stable identifier used by data files.", max_length=64, unique=True, verbose_name="key"
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, verbose_name="display order")),
            ],
            options={
                "verbose_name": "region",
                "verbose_name_plural": "regions",
                "ordering": ["order", "name"],
            },
        ),
        migrations.RenameField(model_name="municipality", old_name="region", new_name="region_name"),
        migrations.AddField(
            model_name="municipality",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="municipalities",
                to="roadmap.region",
                verbose_name="region",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="Regional staff see the organisations of their own region.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="organizations",
                to="roadmap.region",
                verbose_name="region",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="roadmap.region",
                verbose_name="region",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="municipality", name="region_name"),
        migrations.RemoveConstraint(model_name="plan", name="plan_one_current"),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_current", True), ("region__isnull", False)),
                fields=("region",),
                name="plan_one_current_per_region",
            ),
        ),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_current", True), ("region__isnull", True)),
                fields=("is_current",),
                name="plan_one_current_without_region",
            ),
        ),
    ]
