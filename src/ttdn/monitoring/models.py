"""Outlets and their feeds, the hosts they live on, articles and the stories they cluster into, watch lists,
mentions and the review of each story by a provincial desk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CollectionKind(models.TextChoices):
    COUNTRY = "country", _("By country")
    LANGUAGE = "language", _("By language")
    KIND = "kind", _("By kind of outlet")
    OTHER = "other", _("Other")


class Collection(models.Model):
    """A named group of outlets (Lao outlets, Chinese-language press, wire services …)."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=CollectionKind.choices, default=CollectionKind.OTHER)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Outlet(models.Model):
    """A published news outlet (never a person or a social-media account)."""

    name = models.CharField(max_length=200)
    homepage = models.URLField(max_length=500, blank=True)
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2, "VN" for domestic outlets
    language = models.CharField(max_length=16)  # its main language (BCP 47)
    collections = models.ManyToManyField(Collection, blank=True, related_name="outlets")
    created_at = models.DateTimeField(default=timezone.now)
    # Deleted by an officer while articles of it had been read: it has no feed any more and is no longer listed
    # among the sources, but stays the outlet of those articles (their stories, reviews and responses).
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_foreign(self) -> bool:
        return self.country != "VN"


class FeedKind(models.TextChoices):
    FEED = "feed", _("RSS or Atom feed")
    SITEMAP = "sitemap", _("News sitemap")


class Feed(models.Model):
    """One feed of an outlet, polled on its own adaptive schedule."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=1000, unique=True)
    kind = models.CharField(max_length=16, choices=FeedKind.choices, default=FeedKind.FEED)
    # Conditional GET.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Adaptive schedule: shorter after new entries, longer after none.
    interval_seconds = models.PositiveIntegerField(default=3600)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_new_entries = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)  # consecutive
    last_error = models.CharField(max_length=500, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)  # after too many failures; an officer resumes it

    class Meta:
        ordering = ["outlet__name", "url"]

    def __str__(self) -> str:
        return self.url


class Host(models.Model):
    """Politeness per host: the next moment a request may go, back-off after 429/503, its robots.txt."""

    name = models.CharField(max_length=255, unique=True)  # "scheme://host:port"
    next_allowed_at = models.DateTimeField(default=timezone.now)
    backoff_seconds = models.PositiveIntegerField(default=0)
    robots_txt = models.TextField(blank=True)
    robots_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Story(models.Model):
    """One piece of news, however many outlets carried it (near-duplicates clustered by MinHash)."""

    title = models.CharField(max_length=1000)
    language = models.CharField(max_length=16, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    copies = models.PositiveIntegerField(default=1)  # articles in the cluster
    outlets = models.PositiveIntegerField(default=1)  # distinct outlets

    class Meta:
        ordering = ["-first_seen_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title


class ArticleStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be fetched")
    DONE = "done", _("Fetched")
    FAILED = "failed", _("Could not be fetched")


class Article(models.Model):
    """One page of one outlet. Deduplicated by normalised URL and by title within the outlet."""

    feed = models.ForeignKey(Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="articles")
    url = models.URLField(max_length=2000)
    url_key = models.CharField(max_length=64, unique=True)  # sha256 of the normalised URL
    title = models.CharField(max_length=1000, blank=True)
    title_key = models.CharField(max_length=64, blank=True, db_index=True)  # sha256 of the folded title
    text = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    found_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    # The same title from the same outlet as an earlier article: kept (not fetched again), not counted.
    duplicate = models.BooleanField(default=False)
    minhash = models.BinaryField(blank=True, default=b"")  # the signature, uint32 × MINHASH_PERMUTATIONS
    topics = models.JSONField(default=list, blank=True)  # topic codes found in the text

    class Meta:
        ordering = ["-found_at"]
        indexes = [models.Index(fields=["outlet", "title_key"])]

    def __str__(self) -> str:
        return self.title or self.url


class Band(models.Model):
    """One locality-sensitive band of an article's MinHash: articles sharing a band are candidates."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.article_id}:{self.key}"


class WatchList(models.Model):
    """What a provincial desk watches for: its province's names and places, in every border language."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="watch_lists")
    province = models.ForeignKey("places.AdminUnit", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    name = models.CharField(max_length=200)
    # The desk's own alert thresholds: a story republished by this many outlets within these hours is "spreading
    # fast". Empty: the hub's (TTDN_MONITORING_FAST_COPIES / _HOURS). Zero copies: no such alerts for the desk.
    fast_copies = models.PositiveSmallIntegerField(null=True, blank=True)
    fast_hours = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class TermKind(models.TextChoices):
    PROVINCE = "province", _("Province name")
    OLD_NAME = "old_name", _("Former name")
    COMMUNE = "commune", _("Commune or ward")
    SITE = "site", _("Border gate, post or airport")
    OFFICE = "office", _("Office or official")
    ALERT = "alert", _("Alert term")
    OTHER = "other", pgettext_lazy("term kind", "Other")


class WatchTerm(models.Model):
    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=300)
    language = models.CharField(max_length=16, default="vi")
    kind = models.CharField(max_length=16, choices=TermKind.choices, default=TermKind.OTHER)
    # A story matching an alert term raises a notice at once.
    alert = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "term"]
        constraints = [models.UniqueConstraint(fields=["watch_list", "term", "language"], name="mon_term_unique")]

    def __str__(self) -> str:
        return self.term


class Mention(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    term = models.ForeignKey(WatchTerm, on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="mon_mention_unique")]

    def __str__(self) -> str:
        return f"{self.term_id} ×{self.count}"


class DigestSent(models.Model):
    """A digest mailed to a desk's people: once per desk, period and day, whatever the worker's schedule."""

    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)  # "daily" | "weekly"
    day = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["watch_list", "period", "day"], name="mon_digest_once")]

    def __str__(self) -> str:
        return f"{self.watch_list_id} {self.period} {self.day}"


class Verdict(models.TextChoices):
    NEW = "new", _("Not reviewed")
    ACCURATE = "accurate", _("Accurate")
    POSITIVE = "positive", _("Positive")
    NEEDS_RESPONSE = "needs_response", _("Inaccurate — needs a response")
    IRRELEVANT = "irrelevant", _("Irrelevant")


class Review(models.Model):
    """A desk's review of a story that mentions its province; a needed response is an item of the workflow."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="reviews")
    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.NEW, db_index=True)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    response = models.ForeignKey("content.Item", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    # When the response item was first published: the loop is closed.
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["story", "watch_list"], name="mon_review_unique")]

    def __str__(self) -> str:
        return f"{self.watch_list}: {self.story}"
