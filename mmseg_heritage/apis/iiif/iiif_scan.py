"""One scan of a collection served by IIIF: an image service, and the canvas its image is
painted on when it comes from a manifest."""
from pathlib import Path
from typing import Optional, Tuple

from .iiif_client import IIIFClient
from .iiif_error import IIIFError
from .iiif_image_rows import IIIFImageRows
from .image_service import ImageService
from .presentation_manifest import Canvas, Manifest


class IIIFScan:
    """A scan read from a IIIF image service.

    Its ``info.json`` is fetched when the scan is first used (and once only), so that a
    collection of many canvases costs one request per canvas until each is predicted.

    Args:
        info_url (str): The image service's ``info.json``.
        client (IIIFClient): Fetches it and the image.
        canvas (Canvas, optional): The canvas the image is painted on.
        manifest (Manifest, optional): The manifest the canvas belongs to.
        info (dict, optional): The ``info.json``, when it was fetched already.
        problem (str): Why the scan cannot be read, known before any request (a canvas
            without image, a manifest that could not be fetched); '' when none.
    """

    def __init__(self, info_url: str, client: IIIFClient, canvas: Optional[Canvas] = None,
                 manifest: Optional[Manifest] = None, info: Optional[dict] = None,
                 problem: str = '') -> None:
        self.info_url, self.client = info_url, client
        self.canvas, self.manifest, self.problem = canvas, manifest, problem
        self._info = info
        self._service: Optional[ImageService] = None

    def __str__(self) -> str:
        return self.info_url

    def __repr__(self) -> str:
        return f'IIIFScan({self.info_url!r})'

    @property
    def service(self) -> ImageService:
        """The image service, from its ``info.json`` (fetched once).

        Raises:
            IIIFError: The scan cannot be read (``problem``), or its ``info.json`` cannot be
                fetched or is not an image service.
        """
        if self.problem:
            raise IIIFError(self.problem)
        if self._service is None:
            try:
                info = (self._info if self._info is not None
                        else self.client.get_json(self.info_url))
                self._service = ImageService.from_info(info, self.info_url)
            except IIIFError as error:  # remembered: the journal and report ask again
                self.problem = str(error)
                raise
        return self._service

    def identity(self) -> Optional[dict]:
        """What tells this scan apart from a changed one, for the run's journal: the canvas id
        and the service's id and size; None when the service cannot be read."""
        try:
            service = self.service
        except IIIFError:
            return None
        return dict(canvas=self.canvas and self.canvas.id, service=service.id,
                    width=service.width, height=service.height)

    @property
    def pixels(self) -> int:
        """Its size in pixels as known without a request (to share a collection among
        processes): the service's if fetched, the manifest's otherwise; 0 if unknown."""
        if self._service is not None:
            return self._service.width * self._service.height
        size = self.canvas and (self.canvas.image_size or (
            self.canvas.width and (self.canvas.width, self.canvas.height)))
        return size[0] * size[1] if size else 0

    def image_rows(self, store: Optional[Path] = None) -> IIIFImageRows:
        """The image at full resolution, band by band (see :class:`IIIFImageRows`).

        Raises:
            IIIFError: The scan or its service cannot be read.
        """
        return IIIFImageRows(self.service, self.client, store)

    def resolution(self) -> Tuple[Optional[Tuple[float, float]], str]:
        """Millimetres per pixel (across, down) from a Physical Dimensions service, and where
        that came from; (None, why) when neither the service nor the canvas has one."""
        service = self.service
        if service.mm_per_px:
            return (service.mm_per_px,) * 2, 'IIIF Physical Dimensions of the image service'
        canvas = self.canvas
        if canvas and canvas.mm_per_unit and canvas.width and canvas.height:
            return ((canvas.mm_per_unit * canvas.width / service.width,
                     canvas.mm_per_unit * canvas.height / service.height),
                    'IIIF Physical Dimensions of the canvas')
        return None, ('neither the IIIF image service nor its canvas has a Physical Dimensions '
                      'service; give the resolution with --dpi or --mm-per-px')

    def record(self) -> dict:
        """What the scan's record in the report says of its canvas (nothing without one): id,
        size in canvas units and manifest, so annotations can be made in canvas
        coordinates."""
        if self.canvas is None:
            return {}
        service = self._service
        width = self.canvas.width or (service and service.width)
        height = self.canvas.height or (service and service.height)
        return dict(canvas=dict(id=self.canvas.id, width=width, height=height,
                                manifest=self.manifest and self.manifest.source))
